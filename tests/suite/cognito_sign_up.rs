//! `SignUp`'s code part through the loop: the first code, where it goes (the phone before
//! the email), the masked `CodeDeliveryDetails`, the row to insert, and the refusals.

use confirmation_flow::{
    Status,
    cognito::{
        After, AliasAttribute, AttributeSet, Expected, Lookup, NewAttributes, Pool, Reply, SignUp,
        Target, UserAttributes, UserStatus, Write,
    },
};

use crate::{
    cognito_fixtures::{
        CLIENT_ID, Fixture, NEW_SUB, Settled, assert_exception, decide, found, record, refused,
    },
    common::{T0, at},
};

const BOTH: &[(&str, &str)] = &[
    ("email", "bob@example.com"),
    ("phone_number", "+12065551212"),
];
const EMAIL_ONLY: &[(&str, &str)] = &[("email", "bob@example.com"), ("name", "Bob")];

fn sign_up<'a>(username: &'a str, attributes: &'a [(&'a str, &'a str)]) -> SignUp<'a> {
    SignUp {
        client_id: CLIENT_ID,
        username,
        password: Some("Passw0rd!"),
        user_attributes: Some(UserAttributes::new(attributes)),
        ..SignUp::default()
    }
}

fn run<'a>(pool: &Pool<'a>, request: SignUp<'a>, lookup: &Lookup<'a>) -> Settled<'a> {
    decide(pool, request.validate().unwrap(), lookup, at(0))
}

/// `(DeliveryMedium, AttributeName, Destination)` of a `SignUp` reply.
fn delivery(outcome: &Settled<'_>) -> Option<(&'static str, &'static str, String)> {
    let Reply::SignUp {
        delivery, user_sub, ..
    } = &outcome.reply
    else {
        panic!("{:?}", outcome.reply);
    };
    assert_eq!(*user_sub, NEW_SUB);
    delivery.map(|details| {
        (
            details.delivery_medium(),
            details.attribute().as_str(),
            details.masked_destination().to_string(),
        )
    })
}

#[test]
fn sign_up_issues_the_first_code_and_inserts_the_user() {
    let fixture = Fixture::new();
    let lookup = found(Fixture::public_client(false), None);
    let outcome = run(&fixture.pool(), sign_up("bob", EMAIL_ONLY), &lookup);
    let write = outcome.write.unwrap();
    assert_eq!(
        write.target,
        Target::User {
            username: "bob",
            subject: NEW_SUB,
            attributes: Some(NewAttributes {
                email: Some("bob@example.com"),
                phone_number: None,
            }),
        },
        "the row holds the email as sent, and no phone number"
    );
    assert_eq!(write.expected, Expected::Absent, "an insert");
    assert_eq!(write.status, Some(UserStatus::Unconfirmed));
    assert_eq!((write.verify, write.alias), (None, None));
    assert_eq!(
        (
            write.state.status(),
            write.state.version(),
            write.state.issued_at()
        ),
        (Status::Pending, 1, at(0))
    );
    assert_eq!(
        delivery(&outcome),
        Some(("EMAIL", "email", "b***@e***".to_owned()))
    );
    let After::Deliver(sent) = outcome.after else {
        panic!("the code is delivered");
    };
    assert_eq!(
        (sent.username, sent.destination.value),
        ("bob", "bob@example.com")
    );
    // The delivered code is the one the state was tagged with.
    let confirm = write.state.submit(
        &fixture.policy,
        &fixture.key,
        NEW_SUB.as_bytes(),
        sent.code.as_str(),
        at(1),
    );
    assert!(confirm.is_confirmed());
}

#[test]
fn the_code_goes_to_the_phone_when_both_are_auto_verified() {
    let fixture = Fixture::new();
    let lookup = found(Fixture::public_client(false), None);
    let outcome = run(&fixture.pool(), sign_up("bob", BOTH), &lookup);
    assert_eq!(
        delivery(&outcome),
        Some(("SMS", "phone_number", "+*******1212".to_owned()))
    );
    let After::Deliver(sent) = outcome.after else {
        panic!();
    };
    assert_eq!(sent.destination.attribute, AliasAttribute::PhoneNumber);
    // With only the email auto-verified, the email gets it.
    let pool = Pool {
        auto_verified: AttributeSet::EMAIL,
        ..fixture.pool()
    };
    let outcome = run(&pool, sign_up("bob", BOTH), &lookup);
    assert_eq!(delivery(&outcome).unwrap().1, "email");
    // With nothing auto-verified, no code goes anywhere (an admin confirms the user).
    let pool = Pool {
        auto_verified: AttributeSet::NONE,
        ..fixture.pool()
    };
    let outcome = run(&pool, sign_up("bob", BOTH), &lookup);
    assert_eq!(delivery(&outcome), None);
    assert!(matches!(outcome.after, After::Nothing));
    let Some(Write {
        target: Target::User { attributes, .. },
        ..
    }) = outcome.write
    else {
        panic!("the user is still created: {outcome:?}");
    };
    assert_eq!(
        attributes,
        Some(NewAttributes {
            email: Some("bob@example.com"),
            phone_number: Some("+12065551212"),
        }),
        "with both, whichever the code goes to"
    );
}

#[test]
fn an_email_format_username_is_refused_in_an_email_alias_pool() {
    let fixture = Fixture::new();
    let lookup = found(Fixture::public_client(false), None);
    let outcome = run(
        &fixture.pool(),
        sign_up("bob@example.com", EMAIL_ONLY),
        &lookup,
    );
    assert_exception(
        &outcome,
        "InvalidParameterException",
        "Username cannot be of email format, since user pool is configured for email alias.",
    );
    assert!(outcome.write.is_none());
    let outcome = run(
        &fixture.pool(),
        sign_up("+12065551212", EMAIL_ONLY),
        &lookup,
    );
    assert_exception(
        &outcome,
        "InvalidParameterException",
        "Username cannot be of phone_number format, since user pool is configured for phone_number alias.",
    );
    // Without aliases, such usernames are fine.
    let pool = Pool {
        aliases: AttributeSet::NONE,
        ..fixture.pool()
    };
    for username in ["bob@example.com", "+12065551212"] {
        let outcome = run(&pool, sign_up(username, EMAIL_ONLY), &lookup);
        assert!(outcome.reply.exception().is_none(), "{username}");
    }
    // Near misses are usernames, not addresses.
    for username in [
        "bob@",
        "@example.com",
        "+",
        "+1206555121212345",
        "12065551212",
    ] {
        let outcome = run(&fixture.pool(), sign_up(username, EMAIL_ONLY), &lookup);
        assert!(outcome.reply.exception().is_none(), "{username}");
    }
}

#[test]
fn a_taken_username_is_username_exists() {
    let fixture = Fixture::new();
    let (user, _) = fixture.alice();
    let lookup = found(Fixture::public_client(false), Some(user));
    let outcome = run(&fixture.pool(), sign_up("alice", EMAIL_ONLY), &lookup);
    assert_exception(&outcome, "UsernameExistsException", "User already exists");
    assert!(outcome.write.is_none());
    let _ = record(user.confirmation);
}

#[test]
fn sign_up_checks_the_client_and_the_secret_hash() {
    let fixture = Fixture::new();
    let pool = fixture.pool();
    let unknown = Lookup::default();
    let outcome = run(&pool, sign_up("bob", EMAIL_ONLY), &unknown);
    assert_eq!(refused(&outcome).name(), "ResourceNotFoundException");
    let lookup = found(fixture.secret_client(), None);
    let outcome = run(&pool, sign_up("bob", EMAIL_ONLY), &lookup);
    assert_eq!(
        refused(&outcome).to_string(),
        "Client 7ql4example is configured with secret but SECRET_HASH was not received"
    );
    let hash = fixture.secret.compute("bob", CLIENT_ID);
    let signed = SignUp {
        secret_hash: Some(hash.as_str()),
        ..sign_up("bob", EMAIL_ONLY)
    };
    assert!(run(&pool, signed, &lookup).reply.exception().is_none());
}

#[test]
fn sign_up_validates_the_username_and_attributes_with_the_models_rules() {
    let bad_username = sign_up("a b", EMAIL_ONLY).validate().unwrap_err();
    assert_eq!(
        bad_username.to_string(),
        r"1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+"
    );
    let long_name = "n".repeat(33);
    let attributes = [(long_name.as_str(), "v")];
    let bad_name = sign_up("bob", &attributes).validate().unwrap_err();
    assert_eq!(
        bad_name.to_string(),
        "1 validation error detected: Value at 'userAttributes.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 32"
    );
    let no_password = SignUp {
        password: None,
        ..sign_up("bob", EMAIL_ONLY)
    };
    assert!(
        no_password.validate().is_ok(),
        "passwordless pools sign up without one"
    );
    let spaced = SignUp {
        password: Some("pass word"),
        ..sign_up("bob", EMAIL_ONLY)
    };
    let message = spaced.validate().unwrap_err().to_string();
    assert!(message.contains("'password'") && !message.contains("pass word"));
}

#[test]
fn an_empty_new_subject_is_a_server_fault() {
    let fixture = Fixture::new();
    let request = sign_up("bob", EMAIL_ONLY).validate().unwrap();
    let operation = confirmation_flow::cognito::Operation::from(request);
    let pool = fixture.pool();
    let lookup = found(Fixture::public_client(false), None);
    let fresh = confirmation_flow::cognito::Fresh {
        new_subject: "",
        ..crate::cognito_fixtures::fresh(T0)
    };
    let outcome = operation.needs(&pool).decide(&lookup, &fresh);
    assert!(outcome.write().is_none());
    assert_eq!(outcome.applied().0.http_status(), 500);
}

#[test]
fn an_email_or_phone_named_twice_is_refused() {
    let fixture = Fixture::new();
    let lookup = found(Fixture::public_client(false), None);
    let twice = [
        ("email", "attacker@example.com"),
        ("name", "x"),
        ("email", "victim@example.com"),
    ];
    let outcome = run(&fixture.pool(), sign_up("bob", &twice), &lookup);
    assert_exception(
        &outcome,
        "InvalidParameterException",
        "Attributes did not conform to the schema: email: The attribute is given more than once.",
    );
    assert!(outcome.write.is_none());
    let phones = [
        ("phone_number", "+12065550001"),
        ("phone_number", "+12065550002"),
    ];
    let outcome = run(&fixture.pool(), sign_up("bob", &phones), &lookup);
    assert!(
        refused(&outcome)
            .to_string()
            .contains("phone_number: The attribute is given")
    );
}

/// Spellings of `+12125551212` that each got a budget of their own before `SignUp`
/// checked the format: the service refuses every one.
const PHONE_BYPASSES: &[&str] = &[
    "+1 212 555 1212",
    "+1-212-555-1212",
    "+1 (212) 555-1212",
    "+1(212)5551212",
    "+012125551212",
    "+0012125551212",
    "+12125551212 ",
    " +12125551212",
    "\t+12125551212",
    "+12125551212\n",
    "12125551212",
    "+1.212.555.1212",
    "+1\u{200b}2125551212",
    "+\u{ff11}\u{ff12}\u{ff11}\u{ff12}5551212",
    "+1\u{0662}\u{0661}\u{0662}5551212",
];

/// Spellings of `victim@example.com` that each got a budget of their own and that the
/// format refuses. (`+tag`s, case and fullwidth letters are accepted: the server folds
/// them into one budget.)
const EMAIL_BYPASSES: &[&str] = &[
    " victim@example.com",
    "victim@example.com ",
    " victim@example.com ",
    "victim@example.com\n",
    "victim@example.com\r\n",
    "victim@example.com\t",
    "victim@example.com.",
    "\"victim\"@example.com",
    "vic\u{200b}tim@example.com",
    "victim@exam\u{200b}ple.com",
    "\u{feff}victim@example.com",
    "victim\u{00ad}@example.com",
    "victim@example.com\u{2028}",
    "victim@example.com\u{00a0}",
    "victim@\u{3000}example.com",
];

#[test]
fn the_phone_number_format_is_e164() {
    let phone = AliasAttribute::PhoneNumber;
    // `+`, a digit 1-9, then 1 to 14 more digits: 2 to 15 digits in all.
    for accepted in ["+12125551212", "+12", "+44", "+912345678901234"] {
        assert!(phone.accepts(accepted), "{accepted:?}");
    }
    let refused = [
        "",
        "+",
        "+1",
        "+0",
        "+01",
        "+9123456789012345",
        "++12125551212",
        "+1212555121a",
        "tel:+12125551212",
        "+12125551212\0",
        "2125551212",
    ];
    for value in PHONE_BYPASSES.iter().chain(&refused) {
        assert!(!phone.accepts(value), "{value:?}");
    }
}

#[test]
fn the_email_format_is_one_plain_address() {
    let email = AliasAttribute::Email;
    let local_64 = format!("{}@example.com", "a".repeat(64));
    let labels = vec!["b".repeat(63); 4].join(".");
    let domain_255 = format!("a@{labels}");
    for accepted in [
        "victim@example.com",
        "Victim@Example.COM",
        "victim+tag@example.com",
        "v.i_c-t!i#m$%&'*/=?^`{|}~@example.com",
        "\u{ff56}ictim@example.com",
        "jos\u{e9}@exa\u{301}mple.fr",
        "\u{7528}\u{6237}@\u{4f8b}\u{5b50}.\u{4e2d}\u{56fd}",
        "a@b",
        "a@localhost",
        // Joiners right after a non-ASCII character: Persian's ZWNJ, Malayalam's ZWJ.
        "\u{645}\u{6cc}\u{200c}\u{62e}\u{648}\u{627}\u{647}\u{645}@example.com",
        "\u{d15}\u{d4d}\u{200d}\u{d15}@example.com",
        "victim@\u{d15}\u{d4d}\u{200d}\u{d15}.in",
        local_64.as_str(),
        domain_255.as_str(),
    ] {
        assert!(email.accepts(accepted), "{accepted:?}");
    }
    let local_65 = format!("{}@example.com", "a".repeat(65));
    let domain_256 = format!("a@{labels}b");
    let mut refused: Vec<String> = [
        "",
        "victim",
        "@example.com",
        "victim@",
        "victim@@example.com",
        "victim@example@com",
        "victim@.example.com",
        "victim@example..com",
        ".",
        "a@.",
        &local_65,
        &domain_256,
        "vic tim@example.com",
        "victim@exa mple.com",
        "victim\u{0}@example.com",
        "victim\u{7f}@example.com",
        "victim\u{e000}@example.com",
        // A joiner after ASCII, first, or after another joiner: no script spells with it
        // there, and `vic\u{200c}tim` would be a second spelling of `victim`.
        "vic\u{200c}tim@example.com",
        "vic\u{200d}tim@example.com",
        "\u{200c}victim@example.com",
        "victim@gmail\u{200d}.com",
        "victim\u{200c}@example.com",
        "\u{645}\u{6cc}\u{200c}\u{200c}\u{62e}@example.com",
        "\u{645}\u{6cc}\u{200d}\u{200c}\u{62e}@example.com",
        "\u{645}\u{200b}\u{62e}@example.com",
    ]
    .into_iter()
    .chain(EMAIL_BYPASSES.iter().copied())
    .map(str::to_owned)
    .collect();
    for special in ['"', '\\', '(', ')', ',', ':', ';', '<', '>', '[', ']'] {
        refused.push(format!("vic{special}tim@example.com"));
    }
    for value in &refused {
        assert!(!email.accepts(value), "{value:?}");
    }
    // The domain's labels may hold what the local part may not: only the local part's
    // quoting and comment characters are refused.
    assert!(email.accepts("victim@[127.0.0.1]"));
}

#[test]
fn a_malformed_email_or_phone_number_is_refused_before_anything_else_is_decided() {
    let fixture = Fixture::new();
    let lookup = found(Fixture::public_client(false), None);
    for &value in PHONE_BYPASSES {
        let attributes = [("email", "victim@example.com"), ("phone_number", value)];
        let outcome = run(&fixture.pool(), sign_up("bob", &attributes), &lookup);
        assert_exception(
            &outcome,
            "InvalidParameterException",
            "Invalid phone number format.",
        );
        assert!(outcome.write.is_none(), "{value:?}");
        assert!(matches!(outcome.after, After::Nothing), "{value:?}");
    }
    for &value in EMAIL_BYPASSES {
        let attributes = [("email", value), ("name", "Bob")];
        let outcome = run(&fixture.pool(), sign_up("bob", &attributes), &lookup);
        assert_exception(
            &outcome,
            "InvalidParameterException",
            "Invalid email address format.",
        );
        assert!(outcome.write.is_none(), "{value:?}");
        assert!(matches!(outcome.after, After::Nothing), "{value:?}");
    }
    // Checked whatever the pool verifies or aliases, and whether or not the name is taken
    // or shadows an alias: the answer is the format's.
    let (user, _) = fixture.alice();
    let taken = found(Fixture::public_client(false), Some(user));
    let bare = Pool {
        auto_verified: AttributeSet::NONE,
        ..fixture.pool()
    };
    let attributes = [("email", "victim@example.com."), ("name", "Bob")];
    for (pool, username, lookup) in [
        (&bare, "bob", &lookup),
        (&fixture.pool(), "alice", &taken),
        (&fixture.pool(), "bob@example.com", &lookup),
    ] {
        let outcome = run(pool, sign_up(username, &attributes), lookup);
        assert_eq!(
            refused(&outcome).to_string(),
            "Invalid email address format."
        );
    }
    // A repeated entry is checked too: the first malformed one answers.
    let twice = [("email", "victim@example.com"), ("email", "victim @x.com")];
    let outcome = run(&fixture.pool(), sign_up("bob", &twice), &lookup);
    assert_eq!(
        refused(&outcome).to_string(),
        "Invalid email address format."
    );
    // The client is still checked first.
    let outcome = run(
        &fixture.pool(),
        sign_up("bob", &attributes),
        &Lookup::default(),
    );
    assert_eq!(refused(&outcome).name(), "ResourceNotFoundException");
    // Other attributes are not address-checked.
    let other = [("email", "victim@example.com"), ("name", " Bob ")];
    let outcome = run(&fixture.pool(), sign_up("bob", &other), &lookup);
    assert!(outcome.reply.exception().is_none());
}
