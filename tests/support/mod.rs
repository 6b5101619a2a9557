//! Helpers shared by integration tests and benches.
#![allow(dead_code)]

pub mod llm_server;
