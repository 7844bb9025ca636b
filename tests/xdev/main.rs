//! Sign-in approved on another device (issue 17, items 2, 3 and 5): the device grant (RFC 8628)
//! and CIBA (poll and ping), over HTTP on every backend and across two nodes.

#[path = "../common/mod.rs"]
mod common;
mod support;

mod ciba;
mod ciba_refusals;
mod device;
mod device_refusals;
mod opt_in;
mod orgs;
mod step_up;
mod two_nodes;
