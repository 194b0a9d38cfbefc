//! The conformance kit against the in-memory backend (the SQL backends run it from the
//! server's tests, with the server's own pool deletion as the fixture).

use std::sync::Arc;

use confirmation_flow_store::{Memory, kit};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_memory_store_passes_the_kit() {
    kit::run_all(Arc::new(Memory::new())).await;
}
