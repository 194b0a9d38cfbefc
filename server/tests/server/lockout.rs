//! Failed sign-ins on every backend, on a clock the test moves: the statement that counts an
//! attempt before its password is checked takes five, then one per lock-out, the lock-outs
//! doubling from a second; fifteen quiet minutes start afresh; fifty attempts racing at one
//! instant take five; a success clears the count; counts are pruned once quiet.

use confirmation_flow_server::lockout::{self, LONGEST_MS, Subject};
use confirmation_flow_store::SqlStore;

const POOL: &str = crate::store::POOL_ID;

async fn counted(store: &SqlStore, subject: &Subject, at: i64) -> bool {
    lockout::count(store, POOL, subject, at).await.unwrap()
}

#[tokio::test]
async fn five_failures_then_lockouts_doubling_from_one_second() {
    for (name, store) in crate::store::backends().await {
        let alice = Subject::User("alice".to_owned());
        let start = 1_000_000;
        for i in 0..5 {
            assert!(
                counted(&store, &alice, start + i).await,
                "{name}: failure {i}"
            );
        }
        // The fifth failure, at start + 4, locks out for a second.
        assert!(!counted(&store, &alice, start + 5).await, "{name}");
        assert!(!counted(&store, &alice, start + 1_003).await, "{name}");
        // A locked-out attempt does not lengthen the lock-out.
        assert!(counted(&store, &alice, start + 1_004).await, "{name}");
        // The sixth locks out for two seconds, the seventh for four.
        assert!(!counted(&store, &alice, start + 3_003).await, "{name}");
        assert!(counted(&store, &alice, start + 3_004).await, "{name}");
        assert!(!counted(&store, &alice, start + 7_003).await, "{name}");
        assert!(counted(&store, &alice, start + 7_004).await, "{name}");
        // Another user counts apart.
        let bob = Subject::User("bob".to_owned());
        assert!(counted(&store, &bob, start + 7_005).await, "{name}");
        // Fifteen quiet minutes: five more before a lock-out.
        let later = start + 7_004 + LONGEST_MS;
        for i in 0..5 {
            assert!(
                counted(&store, &alice, later + i).await,
                "{name}: after quiet {i}"
            );
        }
        assert!(!counted(&store, &alice, later + 5).await, "{name}");
        // A success clears the count.
        lockout::clear(&store, POOL, &alice).await.unwrap();
        assert!(counted(&store, &alice, later + 6).await, "{name}");
        // Pruned once quiet for fifteen minutes, and not before.
        let unknown = Subject::Unknown("0f".repeat(32));
        assert!(counted(&store, &unknown, later + 6).await, "{name}");
        let pruned = lockout::prune(&store, later + 6 + LONGEST_MS)
            .await
            .unwrap();
        assert_eq!(
            pruned, 1,
            "{name}: bob; alice and the unknown name failed at +6"
        );
        let pruned = lockout::prune(&store, later + 7 + LONGEST_MS)
            .await
            .unwrap();
        assert_eq!(pruned, 2, "{name}: alice and the unknown name");
    }
}

/// However many attempts race, at most five are counted (and so checked) before the first
/// lock-out: the statement takes the next failure only while there is room, whole.
#[tokio::test]
async fn fifty_racing_attempts_take_five() {
    for (name, store) in crate::store::backends().await {
        let store = std::sync::Arc::new(store);
        let racing = (0..50).map(|_| {
            let store = std::sync::Arc::clone(&store);
            tokio::spawn(async move {
                let carol = Subject::User("carol".to_owned());
                counted(&store, &carol, 2_000_000).await
            })
        });
        let mut taken = 0;
        for attempt in racing.collect::<Vec<_>>() {
            taken += usize::from(attempt.await.unwrap());
        }
        assert_eq!(taken, 5, "{name}");
    }
}
