//! herald: Markdown posts to RSS, Atom and JSON feeds, HTML pages, and a
//! weekly email digest.
//!
//! The pipeline flows one way: [`config`] → [`content`] → [`feeds`] and
//! [`site`] → [`output`]; for mail, [`content`] → [`digest`] (which drives
//! the transports in [`delivery`]), with the ledger in [`state`]. Which
//! modules read and write files, use the network, start processes or read
//! the clock is listed in ARCHITECTURE.md; the wall clock is read only in [`cli`]
//! and passed down.

pub mod assets;
pub mod clean;
pub mod cli;
pub mod clock;
pub mod config;
pub mod content;
pub mod delivery;
pub mod diag;
pub mod digest;
pub mod error;
pub mod feeds;
pub mod html;
pub mod i18n;
pub mod import;
pub mod init;
pub mod log;
pub mod output;
pub mod pipeline;
pub mod run;
pub mod site;
pub mod state;
pub mod status;
pub mod templates;
pub mod tls;
pub mod when;
