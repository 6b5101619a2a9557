//! Turning a streamed HTTP response into [`StreamEvent`]s.
//!
//! The plumbing shared by both providers: the body's byte stream gets an idle
//! timeout (the longest allowed gap between two chunks), is parsed as
//! Server-Sent Events by `eventsource-stream`, and each SSE event is handed
//! to a provider-specific [`Decoder`] that produces zero or more
//! [`StreamEvent`]s.
//!
//! Decisions:
//! - The stream ends as soon as the decoder has seen its terminal marker; we
//!   do not wait for the server to close the connection.
//! - A body that ends before the terminal marker yields
//!   `LlmError::Network` ("the connection closed mid-stream"): the answer is
//!   incomplete because the transport broke, not because the server sent
//!   garbage (that is `MalformedStream`).
//! - After the first error the stream ends (errors are terminal).
//! - A 2xx response that is not `text/event-stream` (e.g. a server that
//!   ignored `stream: true`, or a proxy's HTML page) is reported right away:
//!   as the error it contains if it is a JSON error object, else as
//!   `MalformedStream`.

use std::collections::VecDeque;
use std::pin::Pin;
use std::time::Duration;

use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures::{Stream, StreamExt};

use super::EventStream;
use super::error::{LlmError, excerpt, fmt_duration};
use super::retry::from_reqwest;
use super::types::StreamEvent;

/// Provider-specific interpretation of SSE events.
pub(crate) trait Decoder: Send + 'static {
    /// Interprets one SSE event, appending the resulting events to `out`.
    fn on_event(&mut self, event: &Event, out: &mut VecDeque<StreamEvent>) -> Result<(), LlmError>;
    /// Whether the terminal marker has been seen (the response is complete).
    fn is_done(&self) -> bool;
    /// The body ended before [`Decoder::is_done`]. Returns `Ok` (after pushing
    /// any final events) if the response may still be considered complete.
    fn on_eof(&mut self, out: &mut VecDeque<StreamEvent>) -> Result<(), LlmError>;
}

type SseStream = Pin<Box<dyn Stream<Item = Result<Event, LlmError>> + Send>>;

/// Wraps a successful response into the provider's event stream.
pub(crate) async fn event_stream<D: Decoder>(
    resp: reqwest::Response,
    idle_timeout: Duration,
    decoder: D,
    model: &str,
) -> Result<EventStream, LlmError> {
    let url = resp.url().to_string();
    check_content_type(resp, idle_timeout, model)
        .await
        .map(|resp| decode(sse_events(resp, idle_timeout, url), decoder))
}

/// Rejects a 2xx response that is not an event stream.
async fn check_content_type(
    resp: reqwest::Response,
    timeout: Duration,
    model: &str,
) -> Result<reqwest::Response, LlmError> {
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    // Missing content type: give the SSE parser a chance.
    if content_type.is_empty() || content_type.contains("event-stream") {
        return Ok(resp);
    }
    let body = match tokio::time::timeout(timeout, resp.text()).await {
        Ok(Ok(text)) => text,
        _ => String::new(),
    };
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(&body)
        && value.get("error").is_some()
    {
        return Err(LlmError::from_stream_error(&value, model));
    }
    Err(LlmError::MalformedStream {
        message: format!(
            "expected an event stream but got `{content_type}`: {}",
            excerpt(&body)
        ),
    })
}

/// The response body as SSE events, with the idle timeout applied between
/// chunks of bytes.
fn sse_events(resp: reqwest::Response, idle: Duration, url: String) -> SseStream {
    let bytes = Box::pin(resp.bytes_stream());
    let timed = futures::stream::unfold(Some((bytes, url)), move |state| async move {
        let (mut bytes, url) = state?;
        match tokio::time::timeout(idle, bytes.next()).await {
            Err(_) => Some((
                Err(LlmError::Timeout {
                    message: format!(
                        "the provider sent nothing for {} in the middle of the response",
                        fmt_duration(idle)
                    ),
                }),
                None,
            )),
            Ok(None) => None,
            Ok(Some(Ok(chunk))) => Some((Ok(chunk), Some((bytes, url)))),
            Ok(Some(Err(e))) => Some((Err(from_reqwest(&e, &url)), None)),
        }
    });
    Box::pin(timed.eventsource().map(|item| {
        item.map_err(|e| match e {
            EventStreamError::Transport(e) => e,
            EventStreamError::Utf8(e) => LlmError::MalformedStream {
                message: format!("the event stream is not valid UTF-8: {e}"),
            },
            EventStreamError::Parser(e) => LlmError::MalformedStream {
                message: format!("invalid event stream syntax: {}", excerpt(&e.input)),
            },
        })
    }))
}

struct DecodeState<D> {
    events: SseStream,
    decoder: D,
    pending: VecDeque<StreamEvent>,
    finished: bool,
}

/// Runs SSE events through the decoder; see the module docs for the rules.
fn decode<D: Decoder>(events: SseStream, decoder: D) -> EventStream {
    let state = DecodeState {
        events,
        decoder,
        pending: VecDeque::new(),
        finished: false,
    };
    Box::pin(futures::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(ev) = st.pending.pop_front() {
                return Some((Ok(ev), st));
            }
            if st.finished {
                return None;
            }
            match st.events.next().await {
                Some(Ok(event)) => {
                    if let Err(e) = st.decoder.on_event(&event, &mut st.pending) {
                        st.finished = true;
                        st.pending.clear();
                        return Some((Err(e), st));
                    }
                    if st.decoder.is_done() {
                        st.finished = true;
                    }
                }
                Some(Err(e)) => {
                    st.finished = true;
                    st.pending.clear();
                    return Some((Err(e), st));
                }
                None => {
                    st.finished = true;
                    if let Err(e) = st.decoder.on_eof(&mut st.pending) {
                        st.pending.clear();
                        return Some((Err(e), st));
                    }
                }
            }
        }
    }))
}

/// The error for a body that ended before the terminal marker.
pub(crate) fn closed_mid_stream() -> LlmError {
    LlmError::Network {
        message: "the connection closed mid-stream before the response was complete".to_string(),
    }
}

/// Parses the JSON payload of an SSE event, or reports it as malformed.
pub(crate) fn parse_json(data: &str) -> Result<serde_json::Value, LlmError> {
    serde_json::from_str(data).map_err(|e| LlmError::MalformedStream {
        message: format!("invalid JSON in event ({e}): {}", excerpt_short(data)),
    })
}

fn excerpt_short(s: &str) -> String {
    let e = excerpt(s);
    if e.chars().count() > 120 {
        let mut out: String = e.chars().take(120).collect();
        out.push('…');
        out
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::types::FinishReason;

    /// Emits the data of each event as text; done at "END".
    struct Echo {
        done: bool,
        lenient: bool,
    }

    impl Decoder for Echo {
        fn on_event(
            &mut self,
            event: &Event,
            out: &mut VecDeque<StreamEvent>,
        ) -> Result<(), LlmError> {
            match event.data.as_str() {
                "END" => {
                    self.done = true;
                    out.push_back(StreamEvent::Finish(FinishReason::Stop));
                }
                "BAD" => {
                    parse_json("{nope")?;
                }
                d => out.push_back(StreamEvent::TextDelta(d.to_string())),
            }
            Ok(())
        }
        fn is_done(&self) -> bool {
            self.done
        }
        fn on_eof(&mut self, _out: &mut VecDeque<StreamEvent>) -> Result<(), LlmError> {
            if self.lenient {
                Ok(())
            } else {
                Err(closed_mid_stream())
            }
        }
    }

    fn run(events: Vec<&str>, lenient: bool) -> Vec<Result<StreamEvent, LlmError>> {
        let items: Vec<Result<Event, LlmError>> = events
            .into_iter()
            .map(|d| {
                Ok(Event {
                    data: d.to_string(),
                    ..Default::default()
                })
            })
            .collect();
        let stream = decode(
            Box::pin(futures::stream::iter(items)),
            Echo {
                done: false,
                lenient,
            },
        );
        futures::executor::block_on(stream.collect())
    }

    #[test]
    fn stops_at_terminal_marker() {
        let out = run(vec!["a", "END", "ignored"], false);
        assert_eq!(
            out,
            vec![
                Ok(StreamEvent::TextDelta("a".into())),
                Ok(StreamEvent::Finish(FinishReason::Stop))
            ]
        );
    }

    #[test]
    fn eof_before_marker_is_an_error() {
        let out = run(vec!["a"], false);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].as_ref().unwrap_err().kind(), "network");
        assert_eq!(run(vec!["a"], true).len(), 1);
    }

    #[test]
    fn errors_end_the_stream() {
        let out = run(vec!["a", "BAD", "b", "END"], false);
        assert_eq!(out.len(), 2);
        let err = out[1].as_ref().unwrap_err();
        assert_eq!(err.kind(), "malformed_stream");
        assert!(err.to_string().contains("{nope"), "{err}");
    }
}
