//! herald: Markdown posts to RSS, Atom and JSON feeds, HTML pages, and a
//! weekly email digest.
//!
//! The pipeline flows one way: [`config`] → [`content`] → [`feeds`] and
//! [`site`] → [`output`]; for mail, [`content`] → [`digest`] (which drives
//! the transports in [`delivery`]), with the ledger in [`state`]. Which
//! modules read and write files, use the network, start processes or read
//! the clock is listed in ARCHITECTURE.md; the wall clock is read only in [`cli`]
//! and passed down.

// The crate's surface: an item is `pub` only where a caller outside its
// module tree needs it (the binary, the tests), and what stays public is
// documented; CI's `clippy -D warnings` makes both errors. Set here rather
// than in Cargo.toml's `[lints]`, which would also apply them to every test
// binary, where `pub` in `tests/common` is how the helpers are shared.
#![warn(unreachable_pub, missing_docs)]

pub(crate) mod assets;
pub(crate) mod clean;
pub mod cli;
pub(crate) mod clock;
pub mod config;
pub mod content;
pub(crate) mod delivery;
pub(crate) mod diag;
pub mod digest;
pub mod error;
pub mod feeds;
pub(crate) mod html;
pub(crate) mod i18n;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod log;
pub(crate) mod output;
pub(crate) mod pipeline;
pub(crate) mod run;
pub(crate) mod serve;
pub mod site;
pub(crate) mod sitemap;
pub(crate) mod state;
pub(crate) mod status;
pub mod templates;
pub(crate) mod tls;
pub(crate) mod when;
