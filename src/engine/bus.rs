//! The event bus: numbering, fan-out, and the in-flight state that late
//! clients need.
//!
//! Every broadcast event gets the next sequence number while the bus lock is
//! held. Code that persists something *and* announces it does both under one
//! [`BusGuard`], and a snapshot reads the database under the same lock, so a
//! snapshot at `seq = N` contains exactly the effects of events `<= N`.

use std::collections::HashMap;

use tokio::sync::{Mutex, MutexGuard, broadcast};

use crate::protocol::{ClientId, Event, EventMsg, InFlightTurn, ThreadId};

/// Events a slow client may fall behind by before it must re-snapshot.
const CAPACITY: usize = 8192;

pub struct Bus {
    tx: broadcast::Sender<EventMsg>,
    state: Mutex<BusState>,
}

#[derive(Default)]
pub struct BusState {
    seq: u64,
    in_flight: HashMap<ThreadId, InFlightTurn>,
}

pub struct BusGuard<'a> {
    bus: &'a Bus,
    state: MutexGuard<'a, BusState>,
}

impl Bus {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(CAPACITY);
        Self {
            tx,
            state: Mutex::new(BusState::default()),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EventMsg> {
        self.tx.subscribe()
    }

    pub async fn lock(&self) -> BusGuard<'_> {
        BusGuard {
            bus: self,
            state: self.state.lock().await,
        }
    }

    /// Broadcasts one event that has no database effect.
    pub async fn emit(&self, event: Event) {
        self.lock().await.emit(event);
    }

    /// Sends an event to one client only.
    pub async fn reply(&self, to: ClientId, event: Event) {
        self.lock().await.reply(to, event);
    }
}

impl BusGuard<'_> {
    pub fn emit(&mut self, event: Event) {
        self.state.seq += 1;
        self.track(&event);
        // No receivers is fine: events are also in the database.
        let _ = self.bus.tx.send(EventMsg {
            seq: self.state.seq,
            to: None,
            event,
        });
    }

    pub fn reply(&mut self, to: ClientId, event: Event) {
        let _ = self.bus.tx.send(EventMsg {
            seq: self.state.seq,
            to: Some(to),
            event,
        });
    }

    /// The running turn of a thread as streamed so far.
    pub fn in_flight(&self, thread_id: &str) -> Option<InFlightTurn> {
        self.state.in_flight.get(thread_id).cloned()
    }

    /// Call after committing an assistant message: its text is now in the
    /// database, so it must leave the in-flight buffer.
    pub fn text_committed(&mut self, thread_id: &str) {
        if let Some(t) = self.state.in_flight.get_mut(thread_id) {
            t.text.clear();
        }
    }

    fn track(&mut self, event: &Event) {
        let in_flight = &mut self.state.in_flight;
        match event {
            Event::TurnStarted {
                thread_id,
                turn_id,
                user_text,
            } => {
                in_flight.insert(
                    thread_id.clone(),
                    InFlightTurn {
                        turn_id: turn_id.clone(),
                        user_text: user_text.clone(),
                        ..Default::default()
                    },
                );
            }
            Event::TextDelta {
                thread_id, delta, ..
            } => {
                if let Some(t) = in_flight.get_mut(thread_id) {
                    t.text.push_str(delta);
                }
            }
            Event::ApprovalRequested { thread_id, .. } => {
                if let (Some(t), Some(p)) = (in_flight.get_mut(thread_id), event.pending_approval())
                {
                    t.pending_approvals.push(p);
                }
            }
            Event::ApprovalResolved {
                thread_id, call_id, ..
            } => {
                if let Some(t) = in_flight.get_mut(thread_id) {
                    t.pending_approvals.retain(|p| &p.call_id != call_id);
                }
            }
            Event::TurnFinished { thread_id, .. } => {
                in_flight.remove(thread_id);
            }
            _ => {}
        }
    }
}
