// The page's script: Amplify JS v6 from its npm package (bundled by esbuild), pointed at the
// example server with `userPoolEndpoint`. Each function answers plain JSON for the test:
// Amplify's result, or the error it raised ({ name, message }).
import { Amplify } from 'aws-amplify';
import { confirmSignUp, signUp } from 'aws-amplify/auth';

const settled = async (call) => {
  try {
    return { ok: await call() };
  } catch (error) {
    return { error: { name: error.name, message: error.message } };
  }
};

window.flow = {
  configure(userPoolId, userPoolClientId, userPoolEndpoint) {
    Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint } } });
  },
  signUp: (username, password, email) =>
    settled(() => signUp({ username, password, options: { userAttributes: { email } } })),
  confirmSignUp: (username, confirmationCode) =>
    settled(() => confirmSignUp({ username, confirmationCode })),
};
window.dispatchEvent(new Event('flow-ready'));
