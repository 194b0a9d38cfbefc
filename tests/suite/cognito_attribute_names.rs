//! Attribute names as pools list them (`AutoVerifiedAttributes`, `AliasAttributes`,
//! `UsernameAttributes`): parsed once, here, for every embedder.

use confirmation_flow::cognito::{AliasAttribute, AttributeSet};

#[test]
fn the_service_spellings_name_the_attributes_and_nothing_else_does() {
    assert_eq!(
        AliasAttribute::from_name("email"),
        Some(AliasAttribute::Email)
    );
    assert_eq!(
        AliasAttribute::from_name("phone_number"),
        Some(AliasAttribute::PhoneNumber)
    );
    for other in [
        "Email",
        "EMAIL",
        "phone",
        "phoneNumber",
        " email",
        "email ",
        "",
        "preferred_username",
    ] {
        assert_eq!(AliasAttribute::from_name(other), None, "{other:?}");
    }
}

#[test]
fn a_list_of_names_is_a_set_and_the_first_unknown_name_is_the_error() {
    assert_eq!(AttributeSet::from_names([]), Ok(AttributeSet::NONE));
    assert_eq!(AttributeSet::from_names(["email"]), Ok(AttributeSet::EMAIL));
    assert_eq!(
        AttributeSet::from_names(["phone_number", "email", "email"]),
        Ok(AttributeSet::BOTH)
    );
    assert_eq!(
        AttributeSet::from_names(["email", "sms", "Email"]),
        Err("sms"),
        "the first name that is not an attribute"
    );
}
