//! The tool registry: owns the tools, their compiled schemas, and which
//! schemas each request carries.
//!
//! Request size is the main cost of an agent, so only *core* tools are sent
//! with every request. When non-core tools exist (MCP servers, WASM
//! extensions), the registry adds one small `tool_search` tool; the schemas
//! it returns are revealed to the model for the rest of the thread.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{Risk, Tool, ToolContext, ToolError, ToolOutput};
use crate::llm::ToolSpec;

pub const TOOL_SEARCH: &str = "tool_search";

struct Entry {
    tool: Arc<dyn Tool>,
    validator: jsonschema::Validator,
}

#[derive(Default)]
pub struct ToolRegistry {
    entries: BTreeMap<String, Entry>,
}

impl ToolRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// The built-in tools, minus `disabled`.
    pub fn with_builtins(disabled: &[String]) -> Result<Self, String> {
        let mut registry = Self::new();
        for tool in super::builtin::all() {
            if !disabled.iter().any(|d| d == tool.name()) {
                registry.register(tool)?;
            }
        }
        Ok(registry)
    }

    /// Adds a tool; its schema must compile and its name be unique.
    pub fn register(&mut self, tool: Arc<dyn Tool>) -> Result<(), String> {
        let name = tool.name().to_string();
        if name == TOOL_SEARCH || self.entries.contains_key(&name) {
            return Err(format!("a tool named `{name}` is already registered"));
        }
        let validator = jsonschema::validator_for(&tool.parameters())
            .map_err(|e| format!("tool `{name}` has an invalid argument schema: {e}"))?;
        self.entries.insert(name, Entry { tool, validator });
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<Arc<dyn Tool>> {
        if name == TOOL_SEARCH && self.has_deferred() {
            return Some(Arc::new(ToolSearch(self.deferred_specs())));
        }
        self.entries.get(name).map(|e| e.tool.clone())
    }

    pub fn names(&self) -> Vec<String> {
        self.entries.keys().cloned().collect()
    }

    /// Checks `args` against the tool's schema; the error lists every problem.
    pub fn validate(&self, name: &str, args: &Value) -> Result<(), String> {
        let Some(entry) = self.entries.get(name) else {
            return Ok(()); // tool_search validates itself
        };
        let problems: Vec<String> = entry
            .validator
            .iter_errors(args)
            .map(|e| {
                let path = e.instance_path().to_string();
                if path.is_empty() {
                    e.to_string()
                } else {
                    format!("{path}: {e}")
                }
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    fn has_deferred(&self) -> bool {
        self.entries.values().any(|e| !e.tool.core())
    }

    fn spec(tool: &dyn Tool) -> ToolSpec {
        ToolSpec {
            name: tool.name().to_string(),
            description: tool.description().to_string(),
            parameters: tool.parameters(),
        }
    }

    fn deferred_specs(&self) -> Vec<ToolSpec> {
        self.entries
            .values()
            .filter(|e| !e.tool.core())
            .map(|e| Self::spec(e.tool.as_ref()))
            .collect()
    }

    /// The schemas for one request: core tools, tools revealed in this
    /// thread, and `tool_search` while anything stays hidden.
    pub fn specs(&self, revealed: &HashSet<String>) -> Vec<ToolSpec> {
        let mut specs: Vec<ToolSpec> = self
            .entries
            .values()
            .filter(|e| e.tool.core() || revealed.contains(e.tool.name()))
            .map(|e| Self::spec(e.tool.as_ref()))
            .collect();
        let hidden = self
            .entries
            .values()
            .filter(|e| !e.tool.core() && !revealed.contains(e.tool.name()))
            .count();
        if hidden > 0 {
            let search = ToolSearch(Vec::new());
            specs.push(ToolSpec {
                name: TOOL_SEARCH.into(),
                description: format!(
                    "Find more tools ({hidden} available) by keywords; found tools become callable."
                ),
                parameters: search.parameters(),
            });
        }
        specs
    }
}

/// Reveals non-core tools whose name or description matches the query.
struct ToolSearch(Vec<ToolSpec>);

#[async_trait]
impl Tool for ToolSearch {
    fn name(&self) -> &str {
        TOOL_SEARCH
    }
    fn description(&self) -> &str {
        "Find more tools by keywords."
    }
    fn parameters(&self) -> Value {
        json!({
            "type": "object",
            "properties": {"query": {"type": "string"}},
            "required": ["query"],
            "additionalProperties": false
        })
    }
    fn risk(&self, _: &Value) -> Risk {
        Risk::Low
    }
    async fn call(&self, args: Value, _ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
        let query = args
            .get("query")
            .and_then(Value::as_str)
            .ok_or_else(|| ToolError::InvalidArguments("`query` must be a string".into()))?
            .to_lowercase();
        let words: Vec<&str> = query.split_whitespace().collect();
        let mut scored: Vec<(usize, &ToolSpec)> = self
            .0
            .iter()
            .map(|s| {
                let hay = format!("{} {}", s.name, s.description).to_lowercase();
                (words.iter().filter(|w| hay.contains(*w)).count(), s)
            })
            .filter(|(score, _)| *score > 0)
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.name.cmp(&b.1.name)));
        scored.truncate(5);
        if scored.is_empty() {
            return Ok(ToolOutput::text(format!("no tools match `{query}`")));
        }
        let found: Vec<&ToolSpec> = scored.into_iter().map(|(_, s)| s).collect();
        let listing = serde_json::to_string(&found).unwrap_or_default();
        Ok(ToolOutput {
            content: format!("These tools are now callable:\n{listing}"),
            reveal: found.iter().map(|s| s.name.clone()).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake {
        name: &'static str,
        core: bool,
    }

    #[async_trait]
    impl Tool for Fake {
        fn name(&self) -> &str {
            self.name
        }
        fn description(&self) -> &str {
            "Posts a message to the team chat."
        }
        fn parameters(&self) -> Value {
            json!({"type":"object","properties":{"n":{"type":"integer"}},"required":["n"],"additionalProperties":false})
        }
        fn risk(&self, _: &Value) -> Risk {
            Risk::Low
        }
        fn core(&self) -> bool {
            self.core
        }
        async fn call(&self, _: Value, _: &ToolContext) -> Result<ToolOutput, ToolError> {
            Ok(ToolOutput::text("ok"))
        }
    }

    fn ctx() -> ToolContext {
        ToolContext {
            workdir: ".".into(),
            ironclaw_home: "/nonexistent".into(),
            cancel: Default::default(),
            output_cap: 1000,
            shell_timeout: std::time::Duration::from_secs(1),
            http_max_bytes: 1000,
            http_allow_private: false,
            workspace: None,
            egress: None,
        }
    }

    #[test]
    fn validation_names_the_problem() {
        let mut r = ToolRegistry::new();
        r.register(Arc::new(Fake {
            name: "a",
            core: true,
        }))
        .unwrap();
        assert!(r.validate("a", &json!({"n": 1})).is_ok());
        let err = r.validate("a", &json!({"n": "x", "m": 1})).unwrap_err();
        assert!(err.contains("/n"), "{err}");
        assert!(r.validate("a", &json!({})).unwrap_err().contains("n"));
        assert!(
            r.register(Arc::new(Fake {
                name: "a",
                core: true
            }))
            .is_err()
        );
    }

    #[tokio::test]
    async fn deferred_tools_are_found_through_tool_search() {
        let mut r = ToolRegistry::new();
        r.register(Arc::new(Fake {
            name: "core_one",
            core: true,
        }))
        .unwrap();
        r.register(Arc::new(Fake {
            name: "slack_post",
            core: false,
        }))
        .unwrap();
        let names = |specs: Vec<ToolSpec>| specs.into_iter().map(|s| s.name).collect::<Vec<_>>();
        assert_eq!(names(r.specs(&HashSet::new())), ["core_one", TOOL_SEARCH]);

        let search = r.get(TOOL_SEARCH).unwrap();
        let out = search
            .call(json!({"query": "team chat"}), &ctx())
            .await
            .unwrap();
        assert_eq!(out.reveal, ["slack_post"]);
        let revealed: HashSet<String> = out.reveal.into_iter().collect();
        assert_eq!(names(r.specs(&revealed)), ["core_one", "slack_post"]);
    }
}
