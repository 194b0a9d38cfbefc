//! The example server under load, against a do-nothing axum handler in the same run.
//!
//! `cargo bench -p confirmation-flow-server --bench load -- [options]`
//!
//! Seeds a pool of unconfirmed users through the store (not through HTTP), starts the server
//! and a do-nothing axum handler (this binary again, as its own process), and sends
//! `ConfirmSignUp` with the right code and with a wrong one at 1, 8 and 64 keep-alive
//! connections on loopback, paired with the same calls to the do-nothing handler. Each
//! user gets at most one call between resets (a reset stores its seeded state again, untimed),
//! so every call takes the path it names. Bounded: each measurement stops after `--requests`
//! calls or `--seconds` seconds of calls.
//!
//! Options: `--users 1000,1000000` (pool sizes, SQLite file), `--connections 1,8,64`,
//! `--requests 20000`, `--seconds 3`, `--postgres URL` (adds one and two server processes
//! on PostgreSQL, with the smallest pool). `LOAD_SERVER=/absolute/path` runs another build
//! of the server (a copy kept from before a change, with the same schema) instead of this
//! one, to compare two builds.
#![allow(
    clippy::std_instead_of_core,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    unreachable_pub,
    clippy::expect_used,
    reason = "a benchmark: a wrong index, sum or setup stops the measurement, which then says so"
)]

mod client;
mod servers;
mod users;

use std::{sync::Arc, time::Duration};

use client::{Call, Measured};
use confirmation_flow::{KeyId, Policy, ServerKey, Timestamp};
use confirmation_flow_store::{SqlStore, database::Database, describe};
use servers::Servers;
use users::{Users, Workload, call};

/// Options after `cargo bench ... --bench load --`.
#[derive(clap::Parser)]
#[command(about = "The example server under load, against a do-nothing axum handler")]
struct Options {
    /// Pool sizes, on a SQLite file.
    #[arg(long, value_delimiter = ',', default_value = "1000,1000000")]
    users: Vec<usize>,
    /// Keep-alive connections.
    #[arg(long, value_delimiter = ',', default_value = "1,8,64")]
    connections: Vec<usize>,
    /// Calls per measurement at most.
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    /// Seconds of calls per measurement at most.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Adds one and two server processes on this PostgreSQL, with the smallest pool.
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// Passed by `cargo bench`.
    #[arg(long, hide = true)]
    bench: bool,
    /// Be the do-nothing handler on this port (the benchmark starts itself this way).
    #[arg(long, hide = true, value_name = "PORT")]
    serve_nothing: Option<u16>,
}

/// Measures one target at one concurrency: rounds of calls to distinct users, each round's
/// users reset afterwards (the server's users only; the do-nothing handler keeps nothing).
async fn measure(
    target: &Servers,
    store: Option<&SqlStore>,
    users: &Users,
    cursor: &mut usize,
    workload: Workload,
    connections: usize,
    options: &Options,
) -> Result<Measured, String> {
    let mut measured = Measured::default();
    let budget = Duration::from_secs_f64(options.seconds);
    while measured.latencies_us.len() < options.requests
        && measured.elapsed < budget
        && measured.unexpected == 0
    {
        let left = options.requests - measured.latencies_us.len();
        let round = left.min(users.count - *cursor).min(50_000);
        let range = *cursor..*cursor + round;
        let calls: Vec<Call> = range
            .clone()
            .map(|index| call(users, index, workload, store.is_some()))
            .collect();
        measured.add(client::run(&target.addresses, connections, Arc::new(calls)).await);
        if let Some(store) = store {
            users.seed(store, range).await?;
        }
        *cursor = (*cursor + round) % users.count;
    }
    Ok(measured)
}

fn main() -> Result<(), String> {
    let options = <Options as clap::Parser>::parse();
    if let Some(port) = options.serve_nothing {
        return servers::serve_nothing(port);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;
    runtime.block_on(bench(&options))
}

async fn bench(options: &Options) -> Result<(), String> {
    let nothing = Servers::nothing()?;
    println!(
        "| target | users | workload | connections | calls | calls/s | p50 ms | p99 ms | × do-nothing |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut at_64 = Vec::new();
    let mut scenarios: Vec<(String, usize, usize)> = options
        .users
        .iter()
        .map(|&count| ("SQLite file".to_owned(), count, 1))
        .collect();
    if let Some(url) = &options.postgres {
        let smallest = options.users.iter().copied().min().unwrap_or(1_000);
        scenarios.push((url.clone(), smallest, 1));
        scenarios.push((url.clone(), smallest, 2));
    }
    for (database, count, processes) in scenarios {
        at_64.extend(scenario(&nothing, database, count, processes, options).await?);
    }
    print_flatness(&at_64);
    Ok(())
}

/// Throughput at 64 connections: label, pool size, workload, calls per second.
type At64 = (String, usize, &'static str, f64);

/// One database and pool size: both workloads at every connection count, each paired with
/// the do-nothing handler; prints a table row per measurement.
async fn scenario(
    nothing: &Servers,
    database: String,
    count: usize,
    processes: usize,
    options: &Options,
) -> Result<Vec<At64>, String> {
    let mut at_64 = Vec::new();
    let dir = servers::temporary_dir()?;
    let secret = confirmation_flow_server::random::random_bytes::<32>();
    let pool_id = format!("us-east-1_bench{}", servers::unix_now());
    let users = Users {
        count,
        pool_id: pool_id.clone(),
        run: u32::from_le_bytes(confirmation_flow_server::random::random_bytes()),
        seedings: std::sync::atomic::AtomicUsize::new(0),
        key: ServerKey::new(KeyId(1), &secret),
        policy: Policy::COGNITO,
        now: Timestamp::from_unix_seconds(servers::unix_now()),
    };
    let postgres = database.starts_with("postgres");
    let database = if postgres {
        Database::Postgres(database)
    } else {
        Database::File(dir.join("store.sqlite3"))
    };
    let store = SqlStore::open(&database)
        .await
        .map_err(|error| describe(&*error))?;
    let seeding = std::time::Instant::now();
    users.seed(&store, 0..count).await?;
    eprintln!(
        "seeded {count} users in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let server = Servers::start(&dir, &database, &pool_id, &secret, processes)?;
    let label = match (postgres, processes) {
        (false, _) => "server, SQLite file".to_owned(),
        (true, 1) => "server, PostgreSQL".to_owned(),
        (true, n) => format!("{n} servers, PostgreSQL"),
    };
    let mut cursor = 0;
    for workload in [Workload::RightCode, Workload::WrongCode] {
        for &connections in &options.connections {
            let mut base = measure(
                nothing,
                None,
                &users,
                &mut 0,
                workload,
                connections,
                options,
            )
            .await?;
            let mut ours = measure(
                &server,
                Some(&store),
                &users,
                &mut cursor,
                workload,
                connections,
                options,
            )
            .await?;
            let ratio = ours.per_second() / base.per_second();
            for (name, measured, ratio) in [
                ("do-nothing axum", &mut base, None),
                (label.as_str(), &mut ours, Some(ratio)),
            ] {
                println!(
                    "| {name} | {count} | {} | {connections} | {} | {:.0} | {:.2} | {:.2} | {} |",
                    workload.name(),
                    measured.latencies_us.len(),
                    measured.per_second(),
                    measured.percentile_ms(50),
                    measured.percentile_ms(99),
                    ratio.map_or_else(|| "1".to_owned(), |ratio| format!("{ratio:.3}")),
                );
            }
            if ours.unexpected > 0 {
                return Err(format!(
                    "{} calls got an unexpected answer",
                    ours.unexpected
                ));
            }
            if connections == 64 {
                at_64.push((label.clone(), count, workload.name(), ours.per_second()));
            }
        }
    }
    drop(server);
    Ok(at_64)
}

/// Throughput at 64 connections of each pool size against the smallest, per workload.
fn print_flatness(at_64: &[At64]) {
    for (label, count, workload, per_second) in at_64 {
        let smallest = at_64
            .iter()
            .filter(|(other, _, name, _)| other == label && name == workload)
            .min_by_key(|(_, count, _, _)| *count);
        if let Some((_, base_count, _, base)) = smallest
            && base_count != count
        {
            println!(
                "{label}, {workload}, 64 connections: {count} users at {:.2}× the throughput of {base_count}",
                per_second / base
            );
        }
    }
}
