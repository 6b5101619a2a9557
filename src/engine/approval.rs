//! Approval bookkeeping: calls waiting for a human, and the per-thread
//! "approved for this session" grants.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use tokio::sync::oneshot;

use crate::protocol::{ApprovalDecision, CallId, ThreadId};

#[derive(Default)]
pub struct Approvals {
    pending: Mutex<HashMap<CallId, oneshot::Sender<ApprovalDecision>>>,
    /// `(thread, tool)` pairs approved for the rest of the session.
    granted: Mutex<HashSet<(ThreadId, String)>>,
}

impl Approvals {
    /// Registers a call awaiting a decision.
    pub fn wait_for(&self, call_id: &str) -> oneshot::Receiver<ApprovalDecision> {
        let (tx, rx) = oneshot::channel();
        self.lock_pending().insert(call_id.to_string(), tx);
        rx
    }

    /// Delivers a decision; `false` when no call with that id is waiting.
    pub fn resolve(&self, call_id: &str, decision: ApprovalDecision) -> bool {
        match self.lock_pending().remove(call_id) {
            Some(tx) => tx.send(decision).is_ok(),
            None => false,
        }
    }

    /// Forgets a waiting call (the turn was interrupted).
    pub fn cancel(&self, call_id: &str) {
        self.lock_pending().remove(call_id);
    }

    pub fn grant_session(&self, thread_id: &str, tool: &str) {
        self.lock_granted()
            .insert((thread_id.to_string(), tool.to_string()));
    }

    pub fn session_granted(&self, thread_id: &str, tool: &str) -> bool {
        self.lock_granted()
            .contains(&(thread_id.to_string(), tool.to_string()))
    }

    fn lock_pending(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<CallId, oneshot::Sender<ApprovalDecision>>> {
        // A poisoned lock only means another task panicked mid-insert; the
        // map itself is still consistent.
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_granted(&self) -> std::sync::MutexGuard<'_, HashSet<(ThreadId, String)>> {
        self.granted.lock().unwrap_or_else(|e| e.into_inner())
    }
}
