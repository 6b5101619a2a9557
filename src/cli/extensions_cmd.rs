//! `ironclaw extensions check|install|list|remove`: WebAssembly tools.
//!
//! `check MANIFEST` validates a tool's capability manifest (and compiles its
//! component, when built) and shows, in plain words, what it would be
//! allowed to do: for tool authors (and their CI, with `--json`) and for
//! users deciding whether to trust a tool. `install` checks, then copies the
//! manifest and component into `~/.ironclaw/tools/<name>/`; engines load
//! installed tools when they start.
//!
//! Works on the file alone: no engine, no database. Besides the manifest's
//! own rules ([`crate::sandbox::manifest`]) it checks that the name does not
//! shadow a built-in tool and runs the safety layer over the text the model
//! would read (description, parameter descriptions): a description that
//! reads like instructions to the model, or carries a key, is an error.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde::Serialize;

use super::{CliError, exit};
use crate::config::Loaded;
use crate::safety::{FindingKind, SafetyLayer, Severity};
use crate::sandbox::manifest::{Assessment, Manifest, ManifestError, Problem};

#[derive(Debug, Subcommand)]
pub enum ExtensionsCommand {
    /// Check a WebAssembly tool's capability manifest and show what it grants.
    Check {
        /// The manifest file (TOML), e.g. `weather.toml`.
        manifest: PathBuf,
        /// Print the result as JSON (`valid`, `problems`, `warnings`, the
        /// normalised manifest and its risk).
        #[arg(long)]
        json: bool,
    },
    /// Check a tool, then install it (manifest and component) for engines
    /// started from now on.
    Install {
        /// The manifest file; its component must be built beside it.
        manifest: PathBuf,
        /// Replace an installed tool of the same name.
        #[arg(long)]
        force: bool,
    },
    /// The installed WebAssembly tools, and why any of them does not load.
    List,
    /// Uninstall a WebAssembly tool.
    Remove { name: String },
}

pub fn run(command: &ExtensionsCommand, loaded: &Loaded) -> Result<u8, CliError> {
    match command {
        ExtensionsCommand::Check { manifest, json } => check(manifest, *json, loaded),
        ExtensionsCommand::Install { manifest, force } => install(manifest, *force, loaded),
        ExtensionsCommand::List => list(loaded),
        ExtensionsCommand::Remove { name } => remove(name, loaded),
    }
}

/// How engines pick up a change to the installed tools.
const RESTART_HINT: &str =
    "engines started from now on load it; a running daemon after `ironclaw daemon restart`";

fn install(path: &Path, force: bool, loaded: &Loaded) -> Result<u8, CliError> {
    if check(path, false, loaded)? != exit::OK {
        return Ok(exit::USAGE);
    }
    let manifest = Manifest::load(path).map_err(|e| CliError::new(exit::USAGE, e.to_string()))?;
    let source = path.parent().unwrap_or(Path::new("."));
    let component = source.join(&manifest.component);
    if !component.is_file() {
        return Err(CliError::new(
            exit::USAGE,
            format!("{} does not exist", component.display()),
        )
        .hint("build the component first (e.g. `cargo component build --release`) and put it beside the manifest"));
    }
    let failed =
        |what: &str, e: std::io::Error| CliError::new(exit::FAILURE, format!("{what}: {e}"));
    let tools = loaded.paths.tools_dir();
    let target = tools.join(&manifest.name);
    if target.exists() && !force {
        return Err(CliError::new(
            exit::USAGE,
            format!(
                "`{}` is already installed ({})",
                manifest.name,
                target.display()
            ),
        )
        .hint("`--force` replaces it"));
    }
    let inside = |p: &Path| match (p.canonicalize(), target.canonicalize()) {
        (Ok(p), Ok(t)) => p.starts_with(t),
        _ => false,
    };
    if inside(path) || inside(&component) {
        return Err(CliError::new(
            exit::USAGE,
            format!("{} is the installed copy itself", path.display()),
        )
        .hint("install from the folder where the tool is built"));
    }
    // Copied into a hidden folder first (engines skip it), then swapped in
    // with the old version kept until the new one is in place: a failure
    // at any step leaves the installed tool as it was.
    let staging = tools.join(format!(".{}.installing", manifest.name));
    let backup = tools.join(format!(".{}.old", manifest.name));
    let _ = std::fs::remove_dir_all(&staging);
    // An install interrupted between its two renames left the old version
    // only here: put it back first.
    if backup.exists() && !target.exists() {
        std::fs::rename(&backup, &target)
            .map_err(|e| failed("cannot restore the previous version", e))?;
    }
    let _ = std::fs::remove_dir_all(&backup);
    let stage = || -> std::io::Result<()> {
        std::fs::create_dir_all(&staging)?;
        std::fs::copy(path, staging.join(format!("{}.toml", manifest.name)))?;
        let dest = staging.join(&manifest.component);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&component, dest)?;
        Ok(())
    };
    if let Err(e) = stage() {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(failed("cannot install", e));
    }
    let replacing = target.exists();
    if replacing && let Err(e) = std::fs::rename(&target, &backup) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(failed("cannot move the installed version aside", e));
    }
    if let Err(e) = std::fs::rename(&staging, &target) {
        if replacing {
            let _ = std::fs::rename(&backup, &target);
        }
        let _ = std::fs::remove_dir_all(&staging);
        return Err(failed("cannot install", e));
    }
    let _ = std::fs::remove_dir_all(&backup);
    println!(
        "installed {} into {}; {RESTART_HINT}",
        manifest.name,
        target.display()
    );
    Ok(exit::OK)
}

fn list(loaded: &Loaded) -> Result<u8, CliError> {
    let dir = loaded.paths.tools_dir();
    let paths =
        crate::sandbox::runtime::manifests(&dir).map_err(|e| CliError::new(exit::FAILURE, e))?;
    if paths.is_empty() {
        println!(
            "no WebAssembly tools installed ({}); `ironclaw extensions install MANIFEST` adds one",
            dir.display()
        );
        return Ok(exit::OK);
    }
    let runtime =
        crate::sandbox::runtime::Runtime::new().map_err(|e| CliError::new(exit::FAILURE, e))?;
    let mut broken = 0;
    for path in paths {
        match runtime.load(&path, loaded.config.tools.http_allow_private) {
            Ok(tool) => {
                let m = tool.manifest();
                let a = m.assess();
                println!(
                    "{} {}  {} risk  \"{}\"",
                    m.name,
                    m.version,
                    a.risk,
                    m.description.escape_debug()
                );
            }
            Err(e) => {
                broken += 1;
                println!("{}  does not load: {e}", path.display());
            }
        }
    }
    Ok(if broken > 0 { exit::FAILURE } else { exit::OK })
}

fn remove(name: &str, loaded: &Loaded) -> Result<u8, CliError> {
    let dir = loaded.paths.tools_dir();
    let folder = dir.join(name);
    let valid = !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.');
    if !valid || !folder.join(format!("{name}.toml")).is_file() {
        return Err(CliError::new(
            exit::USAGE,
            format!(
                "no WebAssembly tool `{name}` is installed in {}",
                dir.display()
            ),
        )
        .hint("`ironclaw extensions list` shows the installed ones"));
    }
    std::fs::remove_dir_all(&folder).map_err(|e| {
        CliError::new(
            exit::FAILURE,
            format!("cannot remove {}: {e}", folder.display()),
        )
    })?;
    println!(
        "removed {name}; {}",
        RESTART_HINT.replace("load it", "no longer offer it")
    );
    Ok(exit::OK)
}

#[derive(Serialize)]
struct Report<'a> {
    path: &'a Path,
    valid: bool,
    problems: Vec<Problem>,
    warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manifest: Option<&'a Manifest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assessment: Option<Assessment>,
}

fn check(path: &Path, json: bool, loaded: &Loaded) -> Result<u8, CliError> {
    let manifest = match Manifest::load(path) {
        Ok(m) => m,
        Err(e @ (ManifestError::Read { .. } | ManifestError::TooLarge)) if !json => {
            return Err(CliError::new(exit::USAGE, e.to_string()));
        }
        Err(e @ (ManifestError::Read { .. } | ManifestError::TooLarge)) => {
            let problem = Problem {
                line: None,
                column: None,
                key: String::new(),
                message: e.to_string(),
            };
            return Ok(report_invalid(path, vec![problem], json));
        }
        Err(e) => {
            let problems = e.problems().to_vec();
            return Ok(report_invalid(path, problems, json));
        }
    };
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let builtin: Vec<String> = crate::tools::builtin::all()
        .iter()
        .map(|t| t.name().to_string())
        .collect();
    if builtin.contains(&manifest.name) {
        problems.push(Problem {
            line: None,
            column: None,
            key: "tool.name".into(),
            message: format!(
                "`{}` is a built-in tool; choose another name",
                manifest.name
            ),
        });
    }
    let safety = SafetyLayer::new(loaded.config.safety.clone())
        .map_err(|e| CliError::new(exit::USAGE, format!("[safety] in config.toml: {e}")))?;
    for (key, text) in manifest.model_facing_text() {
        let inspected = safety.inspect_tool_output("extensions_check", &text);
        for f in inspected.findings {
            let what = match f.kind {
                FindingKind::Injection => "reads like instructions",
                FindingKind::Leak => "contains what looks like a secret",
                FindingKind::Policy => "matches a safety rule",
            };
            let detail = format!("{what} ({}, {}: {:?})", f.rule, f.severity, f.excerpt);
            if f.severity >= Severity::High {
                problems.push(Problem {
                    line: None,
                    column: None,
                    key: key.clone(),
                    message: format!(
                        "the model reads this text, and it {detail}; describe what the tool \
                         does, nothing else"
                    ),
                });
            } else {
                warnings.push(format!("{key}: {detail}"));
            }
        }
    }
    if !problems.is_empty() {
        return Ok(report_invalid(path, problems, json));
    }
    let component = path
        .parent()
        .unwrap_or(Path::new("."))
        .join(&manifest.component);
    let built = component.is_file();
    if built {
        // Compile it and check it is a `tool` world component.
        let runtime =
            crate::sandbox::runtime::Runtime::new().map_err(|e| CliError::new(exit::FAILURE, e))?;
        if let Err(e) = runtime.load(path, loaded.config.tools.http_allow_private) {
            let problem = Problem {
                line: None,
                column: None,
                key: "tool.component".into(),
                message: e,
            };
            return Ok(report_invalid(path, vec![problem], json));
        }
    } else {
        warnings.push(format!(
            "tool.component: {} does not exist yet (build the component next to the manifest)",
            component.display()
        ));
    }
    let assessment = manifest.assess();
    if json {
        let report = Report {
            path,
            valid: true,
            problems: Vec::new(),
            warnings,
            manifest: Some(&manifest),
            assessment: Some(assessment),
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
        return Ok(exit::OK);
    }
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    print!("{}", describe(&manifest, &assessment, &component, built));
    println!();
    println!(
        "`ironclaw extensions install {}` installs it.",
        path.display()
    );
    Ok(exit::OK)
}

fn report_invalid(path: &Path, problems: Vec<Problem>, json: bool) -> u8 {
    if json {
        let report = Report {
            path,
            valid: false,
            problems,
            warnings: Vec::new(),
            manifest: None,
            assessment: None,
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        let n = problems.len();
        eprintln!(
            "error: {} is not a valid manifest ({n} problem{}):",
            path.display(),
            if n == 1 { "" } else { "s" }
        );
        for p in &problems {
            // `file:line:col: key: message`, as compilers print it, so
            // editors can jump to it.
            match p.line {
                Some(_) => eprintln!("  {}:{p}", path.display()),
                None => eprintln!("  {}: {p}", path.display()),
            }
        }
        eprintln!("  fix: see docs/extensions.md for the manifest format");
    }
    exit::USAGE
}

/// The human summary of a valid manifest.
fn describe(m: &Manifest, a: &Assessment, component: &Path, built: bool) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{} {}: valid manifest", m.name, m.version);
    // Quoted, line breaks escaped: the author's text cannot pass for a row.
    let _ = writeln!(out, "  \"{}\"", m.description.escape_debug());
    let row = |out: &mut String, label: &str, text: &str| {
        let _ = writeln!(out, "  {label:<10} {text}");
    };
    row(
        &mut out,
        "component",
        &format!(
            "{}{}",
            component.display(),
            if built { "" } else { " (not built yet)" }
        ),
    );
    let risk = if a.reasons.is_empty() {
        format!("{}: no network, secrets or workspace access", a.risk)
    } else {
        format!("{}: {}", a.risk, a.reasons.join("; "))
    };
    row(&mut out, "risk", &risk);
    row(
        &mut out,
        "limits",
        &format!(
            "fuel {} · memory {} MiB · {} s per call · output {} KiB",
            grouped(m.limits.fuel),
            m.limits.memory_mib,
            m.limits.timeout_secs,
            m.limits.output_kib
        ),
    );
    if m.http.allow.is_empty() {
        row(&mut out, "network", "none");
    } else {
        for (i, r) in m.http.allow.iter().enumerate() {
            row(
                &mut out,
                if i == 0 { "network" } else { "" },
                &r.to_string(),
            );
        }
        row(
            &mut out,
            "",
            &format!(
                "at most {} requests per call, {} KiB per response",
                m.http.max_requests, m.http.max_response_kib
            ),
        );
    }
    if m.secrets.is_empty() {
        row(&mut out, "secrets", "none");
    } else {
        for (i, s) in m.secrets.iter().enumerate() {
            let hosts: Vec<String> = s.hosts.iter().map(|h| h.to_string()).collect();
            row(
                &mut out,
                if i == 0 { "secrets" } else { "" },
                &format!("{} as {}, to {}", s.name, s.inject, hosts.join(", ")),
            );
        }
    }
    let paths = |p: &[String]| {
        p.iter()
            .map(|p| {
                if p.is_empty() {
                    "everything"
                } else {
                    p.as_str()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut ws = Vec::new();
    if !m.workspace.read.is_empty() {
        ws.push(format!("reads {}", paths(&m.workspace.read)));
    }
    if !m.workspace.write.is_empty() {
        ws.push(format!("writes {}", paths(&m.workspace.write)));
    }
    row(
        &mut out,
        "workspace",
        &if ws.is_empty() {
            "none".to_string()
        } else {
            ws.join("; ")
        },
    );
    row(&mut out, "arguments", &arguments(&m.parameters));
    out
}

/// `place (string, required), days (integer)` from an object schema.
fn arguments(schema: &serde_json::Value) -> String {
    let Some(props) = schema.get("properties").and_then(|p| p.as_object()) else {
        return "none".into();
    };
    if props.is_empty() {
        return "none".into();
    }
    let required: Vec<&str> = schema
        .get("required")
        .and_then(|r| r.as_array())
        .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    props
        .iter()
        .map(|(name, p)| {
            let ty = p.get("type").and_then(|t| t.as_str()).unwrap_or("any");
            let (name_shown, ty) = (name.escape_debug(), ty.escape_debug());
            if required.contains(&name.as_str()) {
                format!("{name_shown} ({ty}, required)")
            } else {
                format!("{name_shown} ({ty})")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// 2000000000 → "2,000,000,000".
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(2_000_000_000), "2,000,000,000");
    }

    #[test]
    fn lists_arguments() {
        let schema = serde_json::json!({
            "type": "object",
            "required": ["place"],
            "properties": {"place": {"type": "string"}, "days": {"type": "integer"}, "x": {}}
        });
        assert_eq!(
            arguments(&schema),
            "days (integer), place (string, required), x (any)"
        );
        assert_eq!(arguments(&serde_json::json!({"type": "object"})), "none");
    }
}
