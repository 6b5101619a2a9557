//! `time`: the current date and time. Models have no clock; this is the
//! cheapest way to give them one. Local time comes from the system's
//! timezone database via chrono; only the UTC offset is reported because
//! chrono (without `chrono-tz`) cannot name the zone.

use async_trait::async_trait;
use chrono::{Local, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::parse_args;
use crate::tools::{Risk, Tool, ToolContext, ToolError, ToolOutput};

pub struct Time;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {}

#[async_trait]
impl Tool for Time {
    fn name(&self) -> &str {
        "time"
    }

    fn description(&self) -> &str {
        "Current local and UTC date and time."
    }

    fn parameters(&self) -> Value {
        json!({"type": "object", "properties": {}, "required": [], "additionalProperties": false})
    }

    fn risk(&self, _args: &Value) -> Risk {
        Risk::Low
    }

    fn summarize(&self, _args: &Value) -> String {
        "current time".into()
    }

    async fn call(&self, args: Value, _ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
        let Args {} = parse_args(args)?;
        let local = Local::now();
        let utc = local.with_timezone(&Utc);
        Ok(ToolOutput::text(format!(
            "local: {} ({})\nutc: {}\noffset: {}",
            local.to_rfc3339_opts(SecondsFormat::Secs, false),
            local.format("%A"),
            utc.to_rfc3339_opts(SecondsFormat::Secs, true),
            local.format("%:z"),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::paths::tests::test_ctx;

    #[tokio::test]
    async fn reports_local_utc_offset_and_weekday() {
        let t = test_ctx();
        let out = Time.call(json!({}), &t.ctx).await.unwrap().content;
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3, "{out}");
        let local = lines[0].strip_prefix("local: ").unwrap();
        let (stamp, weekday) = local.split_once(" (").unwrap();
        chrono::DateTime::parse_from_rfc3339(stamp).unwrap();
        assert!(
            [
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday"
            ]
            .contains(&weekday.trim_end_matches(')'))
        );
        let utc = lines[1].strip_prefix("utc: ").unwrap();
        assert!(utc.ends_with('Z'), "{utc}");
        let parsed = chrono::DateTime::parse_from_rfc3339(utc).unwrap();
        assert!(
            (Utc::now() - parsed.with_timezone(&Utc))
                .num_seconds()
                .abs()
                < 5
        );
        assert!(lines[2].starts_with("offset: +") || lines[2].starts_with("offset: -"));
    }

    #[tokio::test]
    async fn accepts_null_and_rejects_arguments() {
        let t = test_ctx();
        assert!(Time.call(Value::Null, &t.ctx).await.is_ok());
        assert!(matches!(
            Time.call(json!({"tz": "UTC"}), &t.ctx).await,
            Err(ToolError::InvalidArguments(_))
        ));
    }
}
