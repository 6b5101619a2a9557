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

/// What came back from the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOutcome {
    /// Nothing changed (a final newline added by the editor does not count).
    Unchanged,
    /// The new text, to save.
    Changed(String),
    /// Nothing can be saved as is: `why`. `text` is what the file held if it
    /// changed and is text (the editor failed after writing it): the pane
    /// keeps it, unsaved, so no work is lost.
    Failed { why: String, text: Option<String> },
}

/// Runs the editor on the text. The file lives in a fresh folder only the
/// user can open (0700, the file 0600); when the editor fails after
/// writing something that is not text, the folder is kept and named.
pub async fn run_editor(editor: &str, edit: &ExternalEdit) -> EditOutcome {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let failed = |why: String| EditOutcome::Failed { why, text: None };
    let dir = match tempfile::Builder::new()
        .prefix("ironclaw-edit-")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
    {
        Ok(dir) => dir,
        Err(e) => {
            return failed(format!(
                "cannot create a temporary file for the editor: {e}"
            ));
        }
    };
    let name = Path::new(&edit.path)
        .file_name()
        .map_or_else(|| "note.md".into(), |n| n.to_os_string());
    let file = dir.path().join(name);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&file)
        .and_then(|mut f| f.write_all(edit.text.as_bytes()));
    if let Err(e) = written {
        return failed(format!("cannot write {}: {e}", file.display()));
    }
    tracing::info!(editor, path = %edit.path, "editing in an external editor");
    let status = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&file)
        .status()
        .await;
    let bytes = std::fs::read(&file);
    let status = match status {
        Ok(status) => status,
        Err(e) => return failed(format!("cannot start the editor `{editor}`: {e}")),
    };
    let text = match bytes {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                let kept = dir.keep();
                return failed(format!(
                    "the edited file is not UTF-8 text; nothing was saved (it is kept in {})",
                    kept.display()
                ));
            }
        },
        Err(e) => return failed(format!("cannot read the edited file: {e}")),
    };
    let changed = changed(&edit.text, text);
    if !status.success() {
        let hint = if status.code() == Some(127) {
            "; set $VISUAL or $EDITOR to an editor that is installed"
        } else if changed.is_some() {
            "; your text is in the pane, unsaved: Ctrl-S saves it"
        } else {
            ""
        };
        return EditOutcome::Failed {
            why: format!("the editor `{editor}` exited with {status}; nothing was saved{hint}"),
            text: changed,
        };
    }
    match changed {
        Some(text) => EditOutcome::Changed(text),
        None => EditOutcome::Unchanged,
    }
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
        let out = run_editor(&editor, &edit("first\n")).await;
        assert_eq!(out, EditOutcome::Changed("first\nadded\n".into()));
        assert_eq!(std::fs::read_to_string(&seen).unwrap(), "a b.md");
        assert_eq!(
            run_editor("true", &edit("same")).await,
            EditOutcome::Unchanged
        );
        let why = |o: EditOutcome| match o {
            EditOutcome::Failed { why, text } => (why, text),
            other => panic!("{other:?}"),
        };
        let (msg, text) = why(run_editor("false", &edit("x")).await);
        assert!(msg.contains("nothing was saved") && text.is_none(), "{msg}");
        let (msg, _) = why(run_editor("no-such-editor-here", &edit("x")).await);
        assert!(msg.contains("set $VISUAL or $EDITOR"), "{msg}");
        // Written, then failed: the text comes back, unsaved.
        let (msg, text) =
            why(run_editor("sh -c 'echo more >> \"$1\"; exit 1' sh", &edit("x\n")).await);
        assert_eq!(text.as_deref(), Some("x\nmore\n"), "{msg}");
        assert!(msg.contains("Ctrl-S saves it"), "{msg}");
        let (msg, _) = why(run_editor("sh -c 'printf \"\\377\" > \"$1\"' sh", &edit("x")).await);
        assert!(
            msg.contains("not UTF-8") && msg.contains("kept in"),
            "{msg}"
        );
        // Only the user can read the file while the editor has it.
        let probe = dir.path().join("mode");
        let editor = format!(
            "sh -c 'stat -c %a \"$1\" \"$(dirname \"$1\")\" > {}' sh",
            probe.display()
        );
        run_editor(&editor, &edit("secret note")).await;
        assert_eq!(std::fs::read_to_string(&probe).unwrap(), "600\n700\n");
    }
}
