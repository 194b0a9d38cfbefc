// The page's script, bundled from the npm packages by esbuild: Amplify JS v6 configured to
// send Cognito's user pool calls to the server named in the query string. Each form shows
// what Amplify answered in its <output> as JSON, `{"ok": …}` or `{"error": {name, message,
// httpStatusCode, requestId}}` (the last two when Amplify had an answer to read them from),
// and marks it `data-state="done"` (the test waits for that).
import { Amplify } from 'aws-amplify';
import {
  autoSignIn, confirmResetPassword, confirmSignIn, confirmSignUp, fetchAuthSession, resetPassword, signIn,
  signOut, signUp,
} from 'aws-amplify/auth';

const query = new URLSearchParams(window.location.search);
Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: query.get('pool'),
      userPoolClientId: query.get('client'),
      userPoolEndpoint: query.get('endpoint'),
    },
  },
});

const handle = (id, call) => {
  const form = document.getElementById(id);
  const output = form.querySelector('output');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(new FormData(form));
    output.dataset.state = 'pending';
    output.value = '';
    let shown;
    try {
      shown = { ok: await call(fields) };
    } catch (error) {
      const { name, message, metadata } = error;
      shown = { error: { name, message, httpStatusCode: metadata?.httpStatusCode, requestId: metadata?.requestId } };
    }
    output.value = JSON.stringify(shown);
    output.dataset.state = 'done';
  });
};

handle('sign-up', ({ username, email, password }) =>
  signUp({ username, password, options: { userAttributes: { email } } }));
handle('confirm', ({ username, code }) =>
  confirmSignUp({ username, confirmationCode: code }));
// `authFlowType: 'USER_AUTH'`: autoSignIn then signs in with the Session ConfirmSignUp
// answered (with `true` it signs in with the password through SRP instead).
handle('sign-up-auto', ({ username, email, password }) =>
  signUp({ username, password, options: { userAttributes: { email }, autoSignIn: { authFlowType: 'USER_AUTH' } } }));
// autoSignIn with the Session ConfirmSignUp answered, then the tokens Amplify keeps.
handle('auto-sign-in', async () => {
  const signedIn = await autoSignIn();
  const { tokens } = await fetchAuthSession();
  return { signedIn, idToken: tokens?.idToken?.payload ?? null, accessToken: tokens?.accessToken?.payload ?? null };
});

// `signIn` with the flow the form names, or Amplify's default (SRP: USER_SRP_AUTH, then the
// PASSWORD_VERIFIER challenge) when it names none. Whoever this origin signed in before
// (Amplify keeps them in localStorage) is signed out first. The access token is shown whole,
// for the test to try after the sign-out.
handle('sign-in', async ({ username, password, flow }) => {
  await signOut();
  const options = flow ? { authFlowType: flow } : undefined;
  const signedIn = await signIn({ username, password, options });
  const { tokens } = await fetchAuthSession();
  return { signedIn, idToken: tokens?.idToken?.payload ?? null, accessToken: tokens?.accessToken?.toString() ?? null };
});
// An invited user: Amplify's default signIn (SRP) with the temporary password, which asks
// for a new one (NEW_PASSWORD_REQUIRED), then confirmSignIn with it.
handle('sign-in-new-password', async ({ username, password, newPassword }) => {
  await signOut();
  const first = await signIn({ username, password });
  const second = await confirmSignIn({ challengeResponse: newPassword });
  const { tokens } = await fetchAuthSession();
  return { first, second, idToken: tokens?.idToken?.payload ?? null };
});
// A forgotten password: resetPassword has a code sent (ForgotPassword); confirmResetPassword
// sets the new password with it (ConfirmForgotPassword).
handle('reset-password', ({ username }) => resetPassword({ username }));
handle('confirm-reset-password', async ({ username, code, newPassword }) => {
  await confirmResetPassword({ username, confirmationCode: code, newPassword });
  return 'reset';
});
// Signs out everywhere: GlobalSignOut, then the tokens Amplify kept are forgotten.
handle('sign-out-everywhere', async () => {
  await signOut({ global: true });
  const { tokens } = await fetchAuthSession();
  return { tokens: tokens ?? null };
});

document.body.dataset.ready = 'true';
