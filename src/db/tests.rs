use super::migrate::{self, Migration};
use super::*;

#[tokio::test]
async fn opens_migrates_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let db = Db::open(&path).await.unwrap();
    assert_eq!(db.schema_version().await.unwrap(), 3);
    let t = db.create_thread("th1", "first").await.unwrap();
    assert_eq!(t.message_count, 0);
    let calls = [ToolCallView {
        id: "c1".into(),
        name: "time".into(),
        arguments: "{}".into(),
    }];
    db.append_message(NewMessage {
        thread_id: "th1",
        turn_id: Some("u1"),
        role: "assistant",
        content: "checking",
        tool_calls: &calls,
        ..Default::default()
    })
    .await
    .unwrap();
    db.append_message(NewMessage {
        thread_id: "th1",
        turn_id: Some("u1"),
        role: "tool",
        content: "noon",
        tool_call_id: Some("c1"),
        tool_name: Some("time"),
        ..Default::default()
    })
    .await
    .unwrap();
    drop(db);

    let db = Db::open(&path).await.unwrap();
    let msgs = db.messages("th1").await.unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0].tool_calls, calls);
    assert_eq!(msgs[1].tool_call_id.as_deref(), Some("c1"));
    assert_eq!(db.thread("th1").await.unwrap().unwrap().message_count, 2);

    // WAL mode is persistent in the file.
    let conn = db.conn.lock().await;
    let mut rows = conn.query("PRAGMA journal_mode", ()).await.unwrap();
    let mode: String = rows.next().await.unwrap().unwrap().get(0).unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn edited_migration_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = libsql::Builder::new_local(dir.path().join("m.db"))
        .build()
        .await
        .unwrap();
    let conn = db.connect().unwrap();
    let v1 = [Migration {
        version: 1,
        name: "0001_a.sql",
        sql: "CREATE TABLE a (x INTEGER);",
    }];
    assert_eq!(migrate::run(&conn, &v1).await.unwrap(), 1);
    assert_eq!(migrate::run(&conn, &v1).await.unwrap(), 0);

    let edited = [Migration {
        version: 1,
        name: "0001_a.sql",
        sql: "CREATE TABLE a (x TEXT);",
    }];
    let err = migrate::run(&conn, &edited).await.unwrap_err().to_string();
    assert!(err.contains("changed after it was applied"), "{err}");

    // A failing migration rolls back entirely and is not recorded.
    let bad = [
        Migration {
            version: 1,
            name: "0001_a.sql",
            sql: "CREATE TABLE a (x INTEGER);",
        },
        Migration {
            version: 2,
            name: "0002_b.sql",
            sql: "CREATE TABLE b (y INTEGER); INSERT INTO nope VALUES (1);",
        },
    ];
    assert!(migrate::run(&conn, &bad).await.is_err());
    let mut rows = conn
        .query("SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'", ())
        .await
        .unwrap();
    let n: i64 = rows.next().await.unwrap().unwrap().get(0).unwrap();
    assert_eq!(n, 0);

    // A database from a newer IronClaw is refused rather than misread.
    let err = migrate::run(&conn, &[]).await.unwrap_err().to_string();
    assert!(err.contains("newer than this IronClaw"), "{err}");
}

#[test]
fn shipped_migrations_are_numbered_in_order() {
    for (i, m) in migrate::MIGRATIONS.iter().enumerate() {
        assert_eq!(m.version, i as i64 + 1);
        assert!(m.name.starts_with(&format!("{:04}_", m.version)));
    }
    let files: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "sql"))
        .collect();
    assert_eq!(
        files.len(),
        migrate::MIGRATIONS.len(),
        "every migrations/*.sql must be listed in MIGRATIONS"
    );
}
