//! The engine's log records, for frontends' Logs panes.
//!
//! A `tracing` layer ([`CaptureLayer`]) copies every record that passes the
//! process's filter into a bounded ring buffer and a broadcast channel. The
//! engine sends a client the buffer when it subscribes ([`Op::SubscribeLogs`])
//! and then forwards new records as batched [`Event::Log`]s. Records travel
//! through the protocol like everything else, so a TUI attached to a daemon
//! sees the daemon's logs, not its own.
//!
//! The forwarder must never log: a record about forwarding a record would
//! feed itself.
//!
//! [`Op::SubscribeLogs`]: crate::protocol::Op::SubscribeLogs
//! [`Event::Log`]: crate::protocol::Event::Log

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::broadcast;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer};

use crate::protocol::LogRecord;

/// Records kept for clients that subscribe later.
const BACKLOG: usize = 2_000;
/// Records gathered into one event at most.
const BATCH: usize = 500;
/// How long the forwarder waits to gather a batch.
const BATCH_WINDOW: Duration = Duration::from_millis(50);

pub struct LogHub {
    backlog: Mutex<VecDeque<LogRecord>>,
    tx: broadcast::Sender<LogRecord>,
}

/// The process-wide hub (one tracing subscriber per process).
pub fn hub() -> &'static LogHub {
    static HUB: OnceLock<LogHub> = OnceLock::new();
    HUB.get_or_init(|| LogHub {
        backlog: Mutex::new(VecDeque::with_capacity(256)),
        tx: broadcast::channel(4_096).0,
    })
}

impl LogHub {
    fn push(&self, record: LogRecord) {
        if let Ok(mut backlog) = self.backlog.lock() {
            if backlog.len() == BACKLOG {
                backlog.pop_front();
            }
            backlog.push_back(record.clone());
        }
        let _ = self.tx.send(record);
    }

    pub fn backlog(&self) -> Vec<LogRecord> {
        self.backlog
            .lock()
            .map(|b| b.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LogRecord> {
        self.tx.subscribe()
    }
}

/// Receives records in batches: waits for one, then gathers what arrives
/// within [`BATCH_WINDOW`]. `None` when the hub is gone.
pub async fn next_batch(rx: &mut broadcast::Receiver<LogRecord>) -> Option<Vec<LogRecord>> {
    let first = match rx.recv().await {
        Ok(r) => r,
        Err(broadcast::error::RecvError::Lagged(n)) => LogRecord {
            ts: now_ms(),
            level: "WARN".into(),
            target: "ironclaw::logs".into(),
            message: format!("{n} log records were dropped (too many too fast)"),
        },
        Err(broadcast::error::RecvError::Closed) => return None,
    };
    let mut batch = vec![first];
    let deadline = tokio::time::Instant::now() + BATCH_WINDOW;
    while batch.len() < BATCH {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Ok(r)) => batch.push(r),
            Ok(Err(broadcast::error::RecvError::Lagged(_))) => continue,
            Ok(Err(broadcast::error::RecvError::Closed)) | Err(_) => break,
        }
    }
    Some(batch)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The `tracing` layer feeding [`hub`]. Add it next to the file writer.
pub struct CaptureLayer;

impl<S: tracing::Subscriber> Layer<S> for CaptureLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut visitor = Fields::default();
        event.record(&mut visitor);
        hub().push(LogRecord {
            ts: now_ms(),
            level: meta.level().to_string(),
            target: meta.target().to_string(),
            message: visitor.finish(),
        });
    }
}

/// Renders `message` first, then `key=value` for the other fields.
#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
}

impl Fields {
    fn finish(self) -> String {
        match (self.message.is_empty(), self.rest.is_empty()) {
            (_, true) => self.message,
            (true, false) => self.rest,
            (false, false) => format!("{} {}", self.message, self.rest),
        }
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            if !self.rest.is_empty() {
                self.rest.push(' ');
            }
            let _ = write!(self.rest, "{}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            if !self.rest.is_empty() {
                self.rest.push(' ');
            }
            let _ = write!(self.rest, "{}={value:?}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    #[test]
    fn records_message_and_fields_in_order() {
        let subscriber = tracing_subscriber::registry().with(CaptureLayer);
        let mut rx = hub().subscribe();
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(path = "/tmp/x", n = 3, "could not open");
        });
        let record = rx.try_recv().expect("a record");
        assert_eq!(record.level, "WARN");
        assert_eq!(record.message, "could not open path=/tmp/x n=3");
        assert!(hub().backlog().iter().any(|r| r == &record));
    }
}
