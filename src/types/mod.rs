//! The vocabulary every layer shares: validated value types, parsed once at the edge (a form, a
//! token claim, a CLI argument) and passed inside as types, never as loose strings. Imports nothing
//! else of the crate.

pub mod contact;
pub mod ids;
pub mod level;
pub mod net;
pub mod validation;

pub use contact::{Contact, Email, Phone};
pub use ids::{AccountId, ClientId};
pub use level::{Acr, Level};
