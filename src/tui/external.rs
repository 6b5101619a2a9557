//! Editing a memory document in the user's own editor (`$VISUAL`, then
//! `$EDITOR`, then `vi`), as `git commit` does.
//!
//! The loop gives the terminal up first ([`super::terminal::suspend`]) and
//! stops reading keys (the `EventStream` is dropped, so the editor gets
//! every key), then takes it back. The text goes through a file in a fresh
//! private temporary folder (0700) named like the document, so the editor
//! highlights Markdown; the folder is removed afterwards. The result goes
//! to the Memory pane, which saves it against the version the edit started
//! from, exactly like a save from the in-pane editor.

use std::path::Path;

/// A document handed to the external editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalEdit {
    pub path: String,
    /// The version the text is from; the save is refused if it changed.
    pub base_version: u64,
    pub text: String,
}

/// The editor command: `$VISUAL`, else `$EDITOR`, else `vi`. It may carry
/// arguments (`code --wait`); the shell splits it, as git does.
pub fn editor_command(env: impl Fn(&str) -> Option<String>) -> String {
    ["VISUAL", "EDITOR"]
        .into_iter()
        .filter_map(env)
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// Runs the editor on the text. `Ok(None)`: nothing changed; `Ok(Some)`:
/// the new text; `Err`: why nothing can be saved (the editor could not
/// start or failed, or the file is no longer UTF-8).
pub async fn run_editor(editor: &str, edit: &ExternalEdit) -> Result<Option<String>, String> {
    let dir = tempfile::Builder::new()
        .prefix("ironclaw-edit-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary file for the editor: {e}"))?;
    let name = Path::new(&edit.path)
        .file_name()
        .map_or_else(|| "note.md".into(), |n| n.to_os_string());
    let file = dir.path().join(name);
    std::fs::write(&file, &edit.text)
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    tracing::info!(editor, path = %edit.path, "editing in an external editor");
    let status = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&file)
        .status()
        .await
        .map_err(|e| format!("cannot start the editor `{editor}`: {e}"))?;
    if !status.success() {
        let hint = if status.code() == Some(127) {
            "; set $VISUAL or $EDITOR to an editor that is installed"
        } else {
            ""
        };
        return Err(format!(
            "the editor `{editor}` exited with {status}; nothing was saved{hint}"
        ));
    }
    let bytes = std::fs::read(&file).map_err(|e| format!("cannot read the edited file: {e}"))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| "the edited file is not UTF-8 text; nothing was saved".to_string())?;
    Ok(changed(&edit.text, text))
}

/// The new text, or `None` when only the final newline an editor adds
/// differs.
fn changed(before: &str, mut after: String) -> Option<String> {
    if !before.ends_with('\n') && after.ends_with('\n') && !after.ends_with("\n\n") {
        after.pop();
    }
    (after != before).then_some(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(text: &str) -> ExternalEdit {
        ExternalEdit {
            path: "notes/a b.md".into(),
            base_version: 3,
            text: text.into(),
        }
    }

    #[test]
    fn picks_visual_then_editor_then_vi() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            editor_command(env(&[("VISUAL", "nvim"), ("EDITOR", "nano")])),
            "nvim"
        );
        assert_eq!(
            editor_command(env(&[("VISUAL", " "), ("EDITOR", "nano")])),
            "nano"
        );
        assert_eq!(editor_command(env(&[])), "vi");
    }

    #[test]
    fn an_added_final_newline_is_no_change() {
        assert_eq!(changed("a", "a\n".into()), None);
        assert_eq!(changed("a\n", "a\n".into()), None);
        assert_eq!(changed("a", "a\n\n".into()), Some("a\n\n".into()));
        assert_eq!(changed("a", "b\n".into()), Some("b".into()));
    }

    #[tokio::test]
    async fn runs_the_editor_on_a_file_named_like_the_document() {
        // The "editor" appends a line and records the file name it got.
        let dir = tempfile::tempdir().unwrap();
        let seen = dir.path().join("seen");
        let editor = format!(
            "sh -c 'printf \"%s\" \"$(basename \"$1\")\" > {}; echo added >> \"$1\"' sh",
            seen.display()
        );
        let out = run_editor(&editor, &edit("first\n")).await.unwrap();
        assert_eq!(out.as_deref(), Some("first\nadded\n"));
        assert_eq!(std::fs::read_to_string(&seen).unwrap(), "a b.md");
        assert_eq!(run_editor("true", &edit("same")).await, Ok(None));
        let err = run_editor("false", &edit("x")).await.unwrap_err();
        assert!(err.contains("nothing was saved"), "{err}");
        let err = run_editor("no-such-editor-here", &edit("x"))
            .await
            .unwrap_err();
        assert!(err.contains("set $VISUAL or $EDITOR"), "{err}");
        let err = run_editor("sh -c 'printf \"\\377\" > \"$1\"' sh", &edit("x"))
            .await
            .unwrap_err();
        assert!(err.contains("not UTF-8"), "{err}");
    }
}
