//! The exception taxonomy and the validation messages, word for word (cognito-spec §2.2).

use confirmation_flow::cognito::{
    AliasAttribute, BodyFault, ConfirmSignUp, Exception, OperationName, ResendConfirmationCode,
    TriggerOutcome, UserStatus,
};

/// (exception, `__type`, message) as the spec records them.
fn spec_table() -> Vec<(Exception<'static>, &'static str, &'static str)> {
    vec![
        (
            Exception::AlreadyConfirmedResend,
            "InvalidParameterException",
            "User is already confirmed.",
        ),
        (
            Exception::ClientNotFound { client_id: "abc" },
            "ResourceNotFoundException",
            "User pool client abc does not exist.",
        ),
        (
            Exception::UserPoolNotFound {
                user_pool_id: "us-east-1_X",
            },
            "ResourceNotFoundException",
            "User pool us-east-1_X does not exist.",
        ),
        (
            Exception::SecretHashMissing { client_id: "abc" },
            "NotAuthorizedException",
            "Client abc is configured with secret but SECRET_HASH was not received",
        ),
        (
            Exception::SecretHashWrong { client_id: "abc" },
            "NotAuthorizedException",
            "Unable to verify secret hash for client abc",
        ),
        (
            Exception::CannotConfirm {
                status: UserStatus::Confirmed,
            },
            "NotAuthorizedException",
            "User cannot be confirmed. Current status is CONFIRMED",
        ),
        (
            Exception::UserNotFound,
            "UserNotFoundException",
            "Username/client id combination not found.",
        ),
        (
            Exception::AdminUserNotFound,
            "UserNotFoundException",
            "User does not exist.",
        ),
        (
            Exception::CodeMismatch,
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        ),
        (
            Exception::ExpiredCode,
            "ExpiredCodeException",
            "Invalid code provided, please request a code again.",
        ),
        (
            Exception::LimitExceeded,
            "LimitExceededException",
            "Attempt limit exceeded, please try after some time.",
        ),
        (
            Exception::AliasExists {
                attribute: AliasAttribute::Email,
            },
            "AliasExistsException",
            "An account with the email already exists.",
        ),
        (
            Exception::AliasExists {
                attribute: AliasAttribute::PhoneNumber,
            },
            "AliasExistsException",
            "An account with the phone_number already exists.",
        ),
        (
            Exception::UserLambdaValidation {
                error: "callback is not a function",
            },
            "UserLambdaValidationException",
            "PostConfirmation failed with error callback is not a function.",
        ),
        (
            Exception::UnexpectedLambda {
                reason: "Socket timeout while invoking Lambda function",
            },
            "UnexpectedLambdaException",
            "PostConfirmation invocation failed due to error Socket timeout while invoking Lambda function.",
        ),
        (
            Exception::InvalidLambdaResponse,
            "InvalidLambdaResponseException",
            "Invalid lambda function output : Invalid JSON",
        ),
        (
            Exception::TooManyRequests,
            "TooManyRequestsException",
            "Rate exceeded",
        ),
    ]
}

/// Answered by the embedder before any decision, in the words the server and the JS
/// package used before the crate had them.
#[test]
fn errors_before_the_decision_have_the_services_type_message_and_status() {
    let table = [
        (
            Exception::Serialization {
                operation: OperationName::SignUp.as_str(),
                fault: BodyFault::Truncated,
                line: 1,
                column: 13,
            },
            "SerializationException",
            "The body is not a valid SignUp request: the body ends early (line 1, column 13)",
        ),
        (
            Exception::UnknownOperation {
                target: "InitiateAuth",
            },
            "UnknownOperationException",
            "Unknown operation InitiateAuth",
        ),
    ];
    for (exception, name, message) in &table {
        assert_eq!(exception.name(), *name);
        assert_eq!(exception.to_string(), *message);
        assert_eq!(exception.http_status(), 400, "{name}");
    }
}

#[test]
fn every_exception_has_the_services_type_message_and_status() {
    for (exception, name, message) in &spec_table() {
        assert_eq!(exception.name(), *name);
        assert_eq!(exception.to_string(), *message);
        assert_eq!(exception.http_status(), 400, "{name}");
    }
    assert_eq!(Exception::InternalError.name(), "InternalErrorException");
    assert_eq!(Exception::InternalError.http_status(), 500);
    for exception in [
        Exception::TooManyFailedAttempts,
        Exception::OperationNotEnabled,
        Exception::Forbidden,
        Exception::CodeDeliveryFailure,
        Exception::InvalidSmsRoleAccessPolicy,
        Exception::InvalidSmsRoleTrustRelationship,
        Exception::InvalidEmailRoleAccessPolicy,
    ] {
        assert!(exception.name().ends_with("Exception"));
        assert!(!exception.to_string().is_empty());
        assert_eq!(exception.http_status(), 400);
    }
}

#[test]
fn a_malformed_address_has_the_services_words() {
    // aws-amplify/amplify-js#5313; dabit3/gatsby-auth-starter-aws-amplify#31 and
    // amazon-archives/amazon-cognito-identity-js#316.
    for (attribute, message) in [
        (AliasAttribute::Email, "Invalid email address format."),
        (AliasAttribute::PhoneNumber, "Invalid phone number format."),
    ] {
        let exception = Exception::AttributeFormat { attribute };
        assert_eq!(exception.name(), "InvalidParameterException");
        assert_eq!(exception.to_string(), message);
        assert_eq!(exception.http_status(), 400);
    }
}

#[test]
fn trigger_outcomes_map_to_the_lambda_exceptions() {
    assert_eq!(TriggerOutcome::Succeeded.exception(), None);
    let failed = TriggerOutcome::FunctionError { error: "boom" }
        .exception()
        .unwrap();
    assert_eq!(
        (failed.name(), failed.to_string().as_str()),
        (
            "UserLambdaValidationException",
            "PostConfirmation failed with error boom."
        )
    );
    let invoke = TriggerOutcome::InvocationFailed {
        reason: "AccessDeniedException",
    }
    .exception()
    .unwrap();
    assert_eq!(
        invoke.to_string(),
        "PostConfirmation invocation failed due to error AccessDeniedException."
    );
    assert_eq!(
        TriggerOutcome::InvalidOutput.exception(),
        Some(Exception::InvalidLambdaResponse)
    );
}

fn confirm_errors(request: &ConfirmSignUp<'_>) -> String {
    request.validate().unwrap_err().to_string()
}

fn request<'a>(username: &'a str, code: &'a str) -> ConfirmSignUp<'a> {
    ConfirmSignUp {
        client_id: "client123",
        username,
        confirmation_code: code,
        ..ConfirmSignUp::default()
    }
}

#[test]
fn several_violations_are_counted_and_joined_in_member_order() {
    let bad = ConfirmSignUp {
        client_id: "",
        secret_hash: Some("has space"),
        ..request("a b", "")
    };
    assert_eq!(
        confirm_errors(&bad),
        "4 validation errors detected: \
         Value at 'clientId' failed to satisfy constraint: Member must have length greater than or equal to 1; \
         Value at 'secretHash' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=/]+; \
         Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+; \
         Value at 'confirmationCode' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
}

#[test]
fn lengths_count_characters_not_bytes() {
    assert!(request(&"ü".repeat(128), "123456").validate().is_ok());
    let too_long = confirm_errors(&request(&"ü".repeat(129), "123456"));
    assert_eq!(
        too_long,
        "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must have length less than or equal to 128"
    );
    assert!(request("alice", &"9".repeat(2048)).validate().is_ok());
    assert!(request("alice", &"9".repeat(2049)).validate().is_err());
    let short_session = ConfirmSignUp {
        session: Some("too-short"),
        ..request("alice", "123456")
    };
    assert!(confirm_errors(&short_session).contains("Value at 'session' failed to satisfy constraint: Member must have length greater than or equal to 20"));
}

#[test]
fn usernames_are_letters_marks_symbols_numbers_and_punctuation() {
    for good in [
        "alice",
        "Jürgen",
        "alice@example.com",
        "+12065551212",
        "名前",
        "e\u{301}",
        "🙂",
        "a.b-c_d",
    ] {
        assert!(request(good, "1").validate().is_ok(), "{good:?}");
    }
    // Separators, controls, format characters, private use, unassigned code points.
    for bad in [
        "a b",
        "a\u{a0}b",
        "a\u{2028}b",
        "a\tb",
        "a\u{7f}",
        "a\u{200d}b",
        "a\u{e000}",
        "a\u{378}",
    ] {
        let message = confirm_errors(&request(bad, "1"));
        assert!(message.contains("'username'"), "{bad:?}: {message}");
        assert!(!message.contains(bad), "values are never echoed");
    }
}

#[test]
fn codes_reject_only_javas_ascii_whitespace() {
    for bad in ["12 34", "1234\t", "\n", "12\u{0b}34", "12\u{0c}34", "12\r"] {
        assert!(request("alice", bad).validate().is_err(), "{bad:?}");
    }
    // Java's \S is ASCII-only: a no-break space is "non-whitespace" to the service.
    assert!(request("alice", "12\u{a0}34").validate().is_ok());
}

#[test]
fn client_ids_and_secret_hashes_use_ascii_word_characters() {
    let resend = |client_id, secret_hash| ResendConfirmationCode {
        client_id,
        secret_hash,
        username: "alice",
        ..ResendConfirmationCode::default()
    };
    assert!(
        resend("7ql4example+x_y", Some("ab+/=_09"))
            .validate()
            .is_ok()
    );
    assert!(
        resend("client-1", None).validate().is_err(),
        "'-' is not in [\\w+]"
    );
    assert!(
        resend("clïent", None).validate().is_err(),
        "\\w is ASCII in Java"
    );
    assert!(resend("client", Some("a.b")).validate().is_err());
    assert!(resend("client", Some(&"A".repeat(129))).validate().is_err());
}

#[test]
fn user_pool_ids_need_a_region_an_underscore_and_an_alphanumeric_suffix() {
    use confirmation_flow::cognito::AdminConfirmSignUp;
    let check = |id| {
        AdminConfirmSignUp {
            user_pool_id: id,
            username: "alice",
            client_metadata: None,
        }
        .validate()
        .is_ok()
    };
    assert!(check("us-east-1_EXAMPLE"));
    assert!(check("a_b_c"), "the separator is the last underscore");
    for bad in [
        "useast1",
        "_abc",
        "us-east-1_",
        "us-east-1_ab-c",
        "us east_1",
    ] {
        assert!(!check(bad), "{bad:?}");
    }
}
