//! The processes under load: the example server (one or more, on one database) and the
//! do-nothing axum handler (this binary run with `--serve-nothing PORT`).

use std::{
    io::{BufRead, BufReader, Write as _},
    net::SocketAddr,
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use confirmation_flow_store::database::Database;

pub const CLIENT_ID: &str = "benchclient";

/// Running servers, stopped when dropped.
pub struct Servers {
    pub addresses: Vec<SocketAddr>,
    children: Vec<Child>,
}

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts `command` and reads its first line, `listening on http://ADDR`.
fn spawn(command: &mut Command) -> Result<(Child, SocketAddr), String> {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot start {command:?}: {error}"))?;
    let mut line = String::new();
    if let Some(stdout) = child.stdout.take() {
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|error| error.to_string())?;
    }
    let address = line
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|address| address.parse().ok())
        .ok_or_else(|| format!("{command:?} printed {line:?}, not its address"))?;
    Ok((child, address))
}

impl Servers {
    /// `processes` example servers on `database`, with one key.
    pub fn start(
        dir: &Path,
        database: &Database,
        pool_id: &str,
        secret: &[u8; 32],
        processes: usize,
    ) -> Result<Self, String> {
        let keys = dir.join("keys.json");
        let key_file = serde_json::json!({"current": 1, "keys": {"1": STANDARD.encode(secret)}});
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&keys)
            .and_then(|mut file| file.write_all(key_file.to_string().as_bytes()))
            .map_err(|error| error.to_string())?;
        let database = match database {
            Database::File(path) => path.display().to_string(),
            Database::Memory => ":memory:".to_owned(),
            Database::Postgres(url) => url.clone(),
        };
        let config = serde_json::json!({
            "listen": "127.0.0.1:0",
            "user_pool_id": pool_id,
            "clients": [{"client_id": CLIENT_ID, "client_secret": null}],
            "alias_attributes": ["email"],
            "auto_verified_attributes": ["email"],
            "database": database,
            "keys": keys,
            "outbox": dir.join("outbox.jsonl"),
        });
        let path = dir.join("config.json");
        std::fs::write(&path, config.to_string()).map_err(|error| error.to_string())?;
        let mut servers = Self {
            addresses: Vec::new(),
            children: Vec::new(),
        };
        for _ in 0..processes {
            let mut command = Command::new(server_binary()?);
            command.arg("--config").arg(&path);
            let (child, address) = spawn(&mut command)?;
            servers.children.push(child);
            servers.addresses.push(address);
        }
        Ok(servers)
    }

    /// The do-nothing handler, as its own process.
    pub fn nothing() -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|error| error.to_string())?;
        let (child, address) = spawn(Command::new(exe).args(["--serve-nothing", "0"]))?;
        Ok(Self {
            addresses: vec![address],
            children: vec![child],
        })
    }
}

/// The server binary to start: this build's, or another build named by `LOAD_SERVER` (a
/// copy kept from before a change, to compare two builds run by run; it must take the same
/// config and schema, as the benchmark seeds the database with this build's store). An
/// absolute path, said on stderr, so that a stray variable cannot go unnoticed.
fn server_binary() -> Result<PathBuf, String> {
    let Some(other) = std::env::var_os("LOAD_SERVER").filter(|value| !value.is_empty()) else {
        return Ok(env!("CARGO_BIN_EXE_confirmation-flow-server").into());
    };
    let path = PathBuf::from(other);
    if !path.is_absolute() {
        return Err(format!(
            "LOAD_SERVER={}: give an absolute path (cargo runs benchmarks from the package's folder)",
            path.display()
        ));
    }
    eprintln!("server: {} (LOAD_SERVER)", path.display());
    Ok(path)
}

/// An axum handler that reads the body and answers `{}`, on the server's runtime shape.
pub fn serve_nothing(port: u16) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;
    runtime.block_on(async {
        let router = axum::Router::new().route(
            "/",
            axum::routing::post(|_body: axum::body::Bytes| async { "{}" }),
        );
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|error| error.to_string())?;
        let address = listener.local_addr().map_err(|error| error.to_string())?;
        println!("listening on http://{address}");
        axum::serve(listener, router)
            .await
            .map_err(|error| error.to_string())
    })
}

/// A new private directory for one scenario's files.
pub fn temporary_dir() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!(
        "confirmation-flow-load-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).map_err(|error| error.to_string())?;
    Ok(dir)
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}
