//! A keep-alive HTTP/1.1 load client on loopback: `connections` connections, each sending its
//! next request as soon as the last is answered, spread over the given servers.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use http_body_util::{BodyExt, Full};
use hyper::{Request, StatusCode, body::Bytes};
use hyper_util::rt::TokioIo;

const TARGET: &str = "AWSCognitoIdentityProviderService.ConfirmSignUp";

/// One request body and the status it must get (none for the do-nothing handler).
pub struct Call {
    pub body: Bytes,
    pub expect: Option<StatusCode>,
}

/// What a run measured.
#[derive(Default)]
pub struct Measured {
    pub elapsed: Duration,
    pub latencies_us: Vec<u32>,
    /// Answers with another status than expected, and transport errors.
    pub unexpected: usize,
}

impl Measured {
    pub fn add(&mut self, other: Self) {
        self.elapsed += other.elapsed;
        self.latencies_us.extend(other.latencies_us);
        self.unexpected += other.unexpected;
    }

    pub fn per_second(&self) -> f64 {
        // Never more than a few million calls: exact in an f64.
        let calls = u32::try_from(self.latencies_us.len()).map_or(f64::MAX, f64::from);
        calls / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency at `percent` (0 to 100), in milliseconds.
    pub fn percentile_ms(&mut self, percent: usize) -> f64 {
        self.latencies_us.sort_unstable();
        let index = (self.latencies_us.len() * percent / 100)
            .min(self.latencies_us.len().saturating_sub(1));
        f64::from(self.latencies_us.get(index).copied().unwrap_or(0)) / 1000.0
    }
}

/// Sends every call once over `connections` connections; the wall time covers the calls only.
pub async fn run(servers: &[SocketAddr], connections: usize, calls: Arc<Vec<Call>>) -> Measured {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|index| {
            let server = servers[index % servers.len()];
            tokio::spawn(connection(server, Arc::clone(&calls), Arc::clone(&next)))
        })
        .collect();
    let mut measured = Measured::default();
    for task in tasks {
        match task.await {
            Ok(part) => measured.add(part),
            Err(_) => measured.unexpected += 1,
        }
    }
    measured.elapsed = started.elapsed();
    measured
}

async fn connection(server: SocketAddr, calls: Arc<Vec<Call>>, next: Arc<AtomicUsize>) -> Measured {
    let mut measured = Measured::default();
    let Ok(stream) = tokio::net::TcpStream::connect(server).await else {
        measured.unexpected += 1;
        return measured;
    };
    let _ = stream.set_nodelay(true);
    let Ok((mut sender, connection)) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
    else {
        measured.unexpected += 1;
        return measured;
    };
    tokio::spawn(connection);
    loop {
        let Some(call) = calls.get(next.fetch_add(1, Ordering::Relaxed)) else {
            return measured;
        };
        let request = Request::post("/")
            .header("host", server.to_string())
            .header("x-amz-target", TARGET)
            .header("content-type", "application/x-amz-json-1.1")
            .body(Full::new(call.body.clone()));
        let Ok(request) = request else {
            measured.unexpected += 1;
            continue;
        };
        let sent = Instant::now();
        let status = match sender.send_request(request).await {
            Ok(response) => {
                let status = response.status();
                match response.into_body().collect().await {
                    Ok(_) => Some(status),
                    Err(_) => None,
                }
            }
            Err(_) => None,
        };
        let micros = u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX);
        measured.latencies_us.push(micros);
        match (status, call.expect) {
            (Some(got), Some(wanted)) if got != wanted => measured.unexpected += 1,
            (None, _) => {
                measured.unexpected += 1;
                return measured;
            }
            _ => {}
        }
    }
}
