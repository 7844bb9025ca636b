//! The ESIA wire protocol (issue 13): a second protocol over the one domain, for portals written
//! against ESIA rather than plain OpenID Connect.

pub mod rest;
