//! A software passkey for the tests (webauthn-authenticator-rs SoftToken) that behaves as a phone
//! with a discoverable credential: shared by the passkey tests and the QR sign-in tests.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::cell::RefCell;
use std::rc::Rc;
use webauthn_authenticator_rs::softtoken::SoftToken;
use webauthn_authenticator_rs::{
    AuthenticatorBackendHashedClientData, WebauthnAuthenticator, prelude::WebauthnCError,
};
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};
use webauthn_rs_proto::{
    PublicKeyCredential, PublicKeyCredentialCreationOptions, PublicKeyCredentialRequestOptions,
    RegisterPublicKeyCredential,
};

/// The token behind a shared handle, so a test can copy its state (keys and counter) at any time.
pub struct Shared(Rc<RefCell<SoftToken>>);

impl AuthenticatorBackendHashedClientData for Shared {
    fn perform_register(
        &mut self,
        client_data_hash: Vec<u8>,
        options: PublicKeyCredentialCreationOptions,
        timeout_ms: u32,
    ) -> Result<RegisterPublicKeyCredential, WebauthnCError> {
        self.0
            .borrow_mut()
            .perform_register(client_data_hash, options, timeout_ms)
    }

    fn perform_auth(
        &mut self,
        client_data_hash: Vec<u8>,
        options: PublicKeyCredentialRequestOptions,
        timeout_ms: u32,
    ) -> Result<PublicKeyCredential, WebauthnCError> {
        self.0
            .borrow_mut()
            .perform_auth(client_data_hash, options, timeout_ms)
    }
}

/// A phone with a passkey. SoftToken does the cryptography (keys, signatures, counter, user
/// verification) but cannot keep resident keys, so this wrapper keeps what a resident key is —
/// the credential id and the user handle the site gave it — and plays the browser's part of
/// choosing that credential when the site asks without naming one.
pub struct Device {
    token: Rc<RefCell<SoftToken>>,
    pub origin: Url,
    resident: Option<(String, String)>,
}

impl Device {
    pub fn new(origin: &str) -> Device {
        // `true`: the token reports user verification (the fingerprint check passed).
        let (token, _) = SoftToken::new(true).unwrap();
        Device {
            token: Rc::new(RefCell::new(token)),
            origin: Url::parse(origin).unwrap(),
            resident: None,
        }
    }

    /// A copy of the device with the same keys and counter (a cloned authenticator).
    pub fn clone_device(&self) -> Device {
        Device {
            token: Rc::new(RefCell::new(
                SoftToken::from_cbor(&self.token.borrow().to_cbor().unwrap()).unwrap(),
            )),
            origin: self.origin.clone(),
            resident: self.resident.clone(),
        }
    }

    pub fn create(&mut self, options: &Value) -> Value {
        let mut o = options.clone();
        assert_eq!(
            o["publicKey"]["authenticatorSelection"]["residentKey"], "required",
            "the site asks for a discoverable credential"
        );
        assert_eq!(
            o["publicKey"]["authenticatorSelection"]["userVerification"],
            "required"
        );
        let user_handle = o["publicKey"]["user"]["id"].as_str().unwrap().to_string();
        // Resident storage is emulated by this wrapper (see above).
        o["publicKey"]["authenticatorSelection"]["requireResidentKey"] = false.into();
        o["publicKey"]["authenticatorSelection"]["residentKey"] = "discouraged".into();
        let ccr: CreationChallengeResponse = serde_json::from_value(o).unwrap();
        let cred = WebauthnAuthenticator::new(Shared(self.token.clone()))
            .do_registration(self.origin.clone(), ccr)
            .expect("the authenticator registers");
        let cred = serde_json::to_value(cred).unwrap();
        self.resident = Some((cred["rawId"].as_str().unwrap().to_string(), user_handle));
        cred
    }

    /// Answers a sign-in request for `rp_id` (normally the one the site asked for).
    pub fn get(&mut self, options: &Value, rp_id: Option<&str>) -> Value {
        let (cred_id, user_handle) = self.resident.clone().expect("a passkey on the device");
        let mut o = options.clone();
        assert_eq!(
            o["publicKey"]["allowCredentials"],
            json!([]),
            "discoverable: the site names no credential"
        );
        assert_eq!(o["publicKey"]["userVerification"], "required");
        o["publicKey"]["allowCredentials"] = json!([{ "type": "public-key", "id": cred_id }]);
        if let Some(rp) = rp_id {
            o["publicKey"]["rpId"] = rp.into();
        }
        let rcr: RequestChallengeResponse = serde_json::from_value(o).unwrap();
        let cred = WebauthnAuthenticator::new(Shared(self.token.clone()))
            .do_authentication(self.origin.clone(), rcr)
            .expect("the authenticator signs");
        let mut cred = serde_json::to_value(cred).unwrap();
        cred["response"]["userHandle"] = user_handle.into();
        cred
    }
}
