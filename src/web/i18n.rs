//! Interface texts: Russian by default (wording from REQUIREMENTS, used as-is), English on request.
//! The translator and its texts live below the surfaces (crate::lang, locales/); pages import them
//! from here.

pub use crate::lang::{Lang, Tr};
