//! The engine's handle on the safety layer.
//!
//! Compiling the injection and policy detectors takes ~150 ms and ~40 MB,
//! which would dominate a one-shot answer that never runs a tool. So the
//! layer is built on a blocking thread as soon as a model starts streaming a
//! tool call ([`Safety::warm`]) and awaited only where it is needed (tool
//! calls and their outputs). Inbound messages are checked for pasted keys
//! with the leak scanner alone, which is ready in a few milliseconds.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use crate::safety::leaks::LeakScanner;
use crate::safety::{SafetyConfig, SafetyLayer};

pub(crate) struct Safety {
    config: SafetyConfig,
    layer: OnceCell<Result<SafetyLayer, String>>,
    leaks: LeakScanner,
    known: Mutex<Vec<String>>,
    /// Bumped on every change of `known`; the layer records the version it has.
    known_version: AtomicU64,
    applied_version: AtomicU64,
    warming: AtomicBool,
}

impl Safety {
    pub fn new(config: SafetyConfig) -> Self {
        Self {
            config,
            layer: OnceCell::new(),
            leaks: LeakScanner::new(),
            known: Mutex::new(Vec::new()),
            known_version: AtomicU64::new(0),
            applied_version: AtomicU64::new(0),
            warming: AtomicBool::new(false),
        }
    }

    /// Starts building the layer in the background (once).
    pub fn warm(self: &Arc<Self>) {
        if self.warming.swap(true, Ordering::AcqRel) {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(e) = this.layer().await {
                tracing::error!(error = %e, "safety layer unavailable");
            }
        });
    }

    /// The full layer, built on first use (or by the warm-up task).
    pub async fn layer(&self) -> Result<&SafetyLayer, String> {
        let built = self
            .layer
            .get_or_init(|| async {
                let config = self.config.clone();
                tokio::task::spawn_blocking(move || SafetyLayer::new(config))
                    .await
                    .map_err(|e| format!("building the safety layer failed: {e}"))
                    .and_then(|r| r.map_err(|e| format!("invalid [safety] configuration: {e}")))
            })
            .await;
        let layer = built.as_ref().map_err(Clone::clone)?;
        let wanted = self.known_version.load(Ordering::Acquire);
        if self.applied_version.load(Ordering::Acquire) != wanted {
            let known = self.known.lock().unwrap_or_else(|e| e.into_inner()).clone();
            layer.set_known_secrets(known);
            self.applied_version.store(wanted, Ordering::Release);
        }
        Ok(layer)
    }

    /// Values from the secret store, matched exactly by leak scanning.
    pub fn set_known(&self, values: Vec<String>) {
        self.leaks.set_known(values.clone());
        *self.known.lock().unwrap_or_else(|e| e.into_inner()) = values;
        self.known_version.fetch_add(1, Ordering::AcqRel);
    }

    /// Warnings for keys pasted into a user message (the text is not changed).
    pub fn user_message_warnings(&self, text: &str) -> Vec<(String, String)> {
        self.leaks
            .find(text)
            .into_iter()
            .filter(|m| !m.example)
            .map(|m| {
                (
                    m.rule.to_string(),
                    format!(
                        "your message contains what looks like a {}; store keys with \
                         `ironclaw secrets set NAME` instead of pasting them into a conversation",
                        m.label
                    ),
                )
            })
            .collect()
    }
}
