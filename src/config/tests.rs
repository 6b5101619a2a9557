use super::*;

fn paths_with(text: Option<&str>) -> (tempfile::TempDir, Paths) {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::new(dir.path().to_path_buf());
    if let Some(t) = text {
        std::fs::write(paths.config_file(), t).unwrap();
    }
    (dir, paths)
}

fn no_env(_: &str) -> Option<String> {
    None
}

#[test]
fn missing_file_gives_defaults() {
    let (_d, paths) = paths_with(None);
    let loaded = load_from(paths, no_env).unwrap();
    assert!(!loaded.file_exists);
    assert_eq!(loaded.config, Config::default());
    assert_eq!(loaded.source("llm.model"), Source::Default);
}

#[test]
fn env_overrides_file_and_types_are_checked() {
    let (_d, paths) = paths_with(Some("[llm]\nmodel = \"from-file\"\nmax_retries = 1\n"));
    let env = |k: &str| match k {
        "IRONCLAW_LLM_MODEL" => Some("from-env".to_string()),
        "IRONCLAW_AGENT_COMPACTION_THRESHOLD" => Some("1".to_string()),
        "IRONCLAW_TOOLS_POLICY" => Some("{ shell = \"never\" }".to_string()),
        _ => None,
    };
    let loaded = load_from(paths.clone(), env).unwrap();
    assert_eq!(loaded.config.llm.model, "from-env");
    assert_eq!(loaded.source("llm.model"), Source::Env);
    assert_eq!(loaded.config.llm.max_retries, 1);
    assert_eq!(loaded.source("llm.max_retries"), Source::File);
    assert_eq!(loaded.config.agent.compaction_threshold, 1.0);
    assert_eq!(
        loaded.config.approval_policy("shell", Risk::High),
        ApprovalPolicy::Never
    );

    let bad = |k: &str| (k == "IRONCLAW_LLM_MAX_RETRIES").then(|| "many".to_string());
    let err = load_from(paths, bad).unwrap_err().to_string();
    assert!(err.contains("IRONCLAW_LLM_MAX_RETRIES"), "{err}");
    assert!(err.contains("integer"), "{err}");
}

#[test]
fn malformed_file_names_file_line_and_key() {
    let (_d, paths) = paths_with(Some("[llm]\nmodel = \"x\"\nmax_retries = \"lots\"\n"));
    let err = load_from(paths.clone(), no_env).unwrap_err().to_string();
    assert!(err.contains("config.toml:3:"), "{err}");
    assert!(err.contains("llm.max_retries"), "{err}");

    std::fs::write(paths.config_file(), "[agent]\nmax_tool_iteratons = 3\n").unwrap();
    let err = load_from(paths.clone(), no_env).unwrap_err().to_string();
    assert!(err.contains(":2:"), "{err}");
    assert!(err.contains("max_tool_iteratons"), "{err}");

    std::fs::write(paths.config_file(), "[llm\nmodel=1").unwrap();
    let err = load_from(paths.clone(), no_env).unwrap_err().to_string();
    assert!(err.contains("config.toml:1:"), "{err}");

    std::fs::write(paths.config_file(), "[llm]\nprovider = \"gemini\"\n").unwrap();
    let err = load_from(paths, no_env).unwrap_err().to_string();
    assert!(err.contains(":2:") && err.contains("llm.provider"), "{err}");
}

#[test]
fn set_key_preserves_comments_and_validates() {
    let (_d, paths) = paths_with(Some("# my notes\n[llm]\nmodel = \"a\" # keep\n"));
    set_key(&paths, "llm.model", "gpt-x").unwrap();
    set_key(&paths, "agent.max_tool_iterations", "7").unwrap();
    let text = std::fs::read_to_string(paths.config_file()).unwrap();
    assert!(text.contains("# my notes"), "{text}");
    assert!(text.contains("model = \"gpt-x\""), "{text}");
    let loaded = load_from(paths.clone(), no_env).unwrap();
    assert_eq!(loaded.config.agent.max_tool_iterations, 7);

    assert!(matches!(
        set_key(&paths, "agent.max_tool_iterations", "0"),
        Err(ConfigError::Invalid { .. })
    ));
    assert!(matches!(
        set_key(&paths, "agent.nope", "1"),
        Err(ConfigError::UnknownKey(_))
    ));
    // A failed set leaves the file as it was.
    assert_eq!(std::fs::read_to_string(paths.config_file()).unwrap(), text);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(paths.config_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn init_writes_a_file_that_loads_back() {
    let (_d, paths) = paths_with(None);
    init_file(&paths, false).unwrap();
    assert!(init_file(&paths, false).is_err());
    let loaded = load_from(paths, no_env).unwrap();
    assert!(loaded.file_exists);
    assert_eq!(loaded.config, Config::default());
}

#[test]
fn every_key_has_an_env_var_and_is_documented() {
    let docs = include_str!("../../docs/configuration.md");
    for key in leaf_keys() {
        assert!(
            docs.contains(&format!("`{key}`")),
            "docs/configuration.md lacks `{key}`"
        );
        assert!(
            docs.contains(&env_var_name(&key)),
            "docs lack {}",
            env_var_name(&key)
        );
    }
}
