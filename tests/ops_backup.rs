//! `vhod backup` / `vhod restore` on SQLite: a backup taken while a node keeps registering people
//! holds everyone acknowledged before it began, passes the integrity check, restores, and a node
//! started on the restored file signs a person in. A restore over a database a running node has
//! open is refused.

mod common;

use common::*;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The `vhod` binary on `config`'s database and KEK.
fn vhod(config: &vhod::config::Config) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_vhod"));
    c.env_remove("VHOD_CONFIG")
        .env("VHOD_DATABASE__URL", &config.database.url)
        .env("VHOD_KEYS__KEK_FILE", &config.keys.kek_file)
        .env("VHOD_LOG", "warn");
    c
}

async fn run(mut c: tokio::process::Command, args: &[&str]) -> (bool, String, String) {
    let out = c.args(args).output().await.unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn a_backup_under_writes_restores_and_signs_in() {
    let backend = Backend::Sqlite;
    let t = TestServer::start(&backend).await;
    for i in 0..5 {
        t.add_person(&format!("before{i}@example.org")).await;
    }
    // A writer keeps registering people; `acked` is its log of acknowledged registrations.
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (app, acked, stop) = (t.app.clone(), acked.clone(), stop.clone());
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                let contact = format!("during{i}@example.org");
                vhod::identity::registration::register_in_person(
                    &app,
                    vhod::identity::registration::RegistrationForm {
                        surname: "Петров",
                        given_name: "Пётр",
                        contact: &contact,
                    },
                    PASSWORD,
                )
                .await
                .expect("registration while the backup runs");
                acked.lock().unwrap().push(contact);
                i += 1;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let dir = std::env::temp_dir().join(format!("vhod-backup-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("backup.db");
    let acked_before: Vec<String> = acked.lock().unwrap().clone();
    let (ok, stdout, stderr) =
        run(vhod(&t.config), &["backup", "--to", file.to_str().unwrap()]).await;
    assert!(ok, "backup: {stderr}");
    assert!(stdout.contains("integrity ok"), "{stdout}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    let acked_after = acked.lock().unwrap().len();
    assert!(
        acked_before.len() >= 2 && acked_after > acked_before.len(),
        "writes went on before and after the backup ({} / {acked_after})",
        acked_before.len()
    );
    let again = run(vhod(&t.config), &["backup", "--to", file.to_str().unwrap()]).await;
    assert!(
        !again.0 && again.2.contains("never overwrites"),
        "{}",
        again.2
    );

    // The running node's database cannot be replaced under it.
    let (ok, _, stderr) = run(
        vhod(&t.config),
        &["restore", "--from", file.to_str().unwrap()],
    )
    .await;
    assert!(!ok, "restore over a database in use is refused");
    assert!(stderr.contains("in use by process"), "{stderr}");

    // Restore into another place, as after losing the disk, and start a node there.
    let mut restored = t.config.clone();
    let target = dir.join("restored").join("vhod.db");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(&target, b"a stale database file").unwrap();
    restored.database.url = format!("sqlite://{}", target.display());
    let (ok, stdout, stderr) = run(
        vhod(&restored),
        &["restore", "--from", file.to_str().unwrap()],
    )
    .await;
    assert!(ok, "restore: {stderr}");
    assert!(stdout.contains("restored"), "{stdout}");
    assert!(!Path::new(&format!("{}.restore-tmp", target.display())).exists());
    restored.server.issuer = vhod::config::Config::defaults().server.issuer;
    let t2 = TestServer::start_with(&backend, restored).await;
    let total = t2.app.store.count_accounts().await.unwrap();
    assert!(
        total >= 5 + acked_before.len() as i64 && total <= 5 + acked_after as i64,
        "the copy is a snapshot between the acknowledged writes: {total}"
    );
    for contact in &acked_before {
        assert!(
            t2.app
                .store
                .find_login("email", contact)
                .await
                .unwrap()
                .is_some(),
            "{contact} was acknowledged before the backup began: it is in the copy"
        );
    }
    let last = acked_before.last().unwrap().as_str();
    for contact in ["before0@example.org", last] {
        let b = Browser::new(&t2.base);
        assert_eq!(
            login::password_status(&b, contact, PASSWORD).await,
            303,
            "{contact} signs in on the restored node"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
