//! Every person has a stable integer oid (ESIA identifies people by it): given on first need, the
//! same on every later call (read, not written again), distinct per person, never handed to another
//! person after deletion.

mod common;

use common::*;

#[tokio::test]
async fn a_person_keeps_one_oid_and_a_deleted_persons_oid_is_never_reused() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let store = &t.app.store;
        let first = t.add_person("+79001112301").await;
        let second = t.add_person("+79001112302").await;
        let a = store.person_oid(&first).await.unwrap();
        assert!(
            a > 1_000_000_000,
            "{}: ten-digit oids, got {a}",
            backend.name()
        );
        assert_eq!(store.person_oid(&first).await.unwrap(), a, "stable");
        let b = store.person_oid(&second).await.unwrap();
        assert_ne!(a, b);
        assert_eq!(
            store.account_of_oid(b).await.unwrap().as_deref(),
            Some(second.as_str())
        );
        store.delete_account(&second).await.unwrap();
        assert_eq!(
            store.account_of_oid(b).await.unwrap(),
            None,
            "gone with the account"
        );
        let third = t.add_person("+79001112303").await;
        let c = store.person_oid(&third).await.unwrap();
        assert!(
            c > b,
            "{}: the deleted person's oid {b} is not reused (got {c})",
            backend.name()
        );
    }
}

#[tokio::test]
async fn asking_again_for_a_persons_oid_writes_nothing_and_takes_no_number() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let store = &t.app.store;
        let first = t.add_person("+79001112311").await;
        assert_eq!(store.oid_of_account(&first).await.unwrap(), None);
        let a = store.person_oid(&first).await.unwrap();
        assert_eq!(store.oid_of_account(&first).await.unwrap(), Some(a));
        // Every ESIA token of the person asks again.
        for _ in 0..5 {
            assert_eq!(store.person_oid(&first).await.unwrap(), a);
        }
        let second = t.add_person("+79001112312").await;
        assert_eq!(
            store.person_oid(&second).await.unwrap(),
            a + 1,
            "{}: the asks in between took no number of the sequence",
            backend.name()
        );
    }
}
