//! What the HTTP test files share: the real binary started on a free loopback port in a
//! directory of its own, requests signed by the SDK's own signer (`aws-sigv4`), and one
//! HTTP/1.1 answer read off a stream.

use std::{
    io::{BufRead as _, BufReader, Read as _},
    net::{SocketAddr, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::SystemTime,
};

/// A running server, killed (and its directory removed) when dropped.
pub struct Process {
    pub child: Child,
    pub address: SocketAddr,
    pub dir: PathBuf,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Process {
    /// A new, empty directory for a server, named after `what`.
    #[must_use]
    pub fn directory(what: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("{what}-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Starts the server in `dir` with `config` (written to `dir/config.json`), `RUST_LOG` at
    /// `log` and `env` set; its stderr goes to `dir/stderr.log`. The running server, or, if
    /// it refused to start, what it said (and `dir` is removed).
    ///
    /// # Errors
    /// The server's stderr when it stopped without listening.
    pub fn start(
        dir: PathBuf,
        config: &serde_json::Value,
        log: &str,
        env: &[(&str, &str)],
    ) -> Result<Self, String> {
        let path = dir.join("config.json");
        std::fs::write(&path, config.to_string()).unwrap();
        let stderr = dir.join("stderr.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_confirmation-flow-server"))
            .arg("--config")
            .arg(&path)
            .env("RUST_LOG", log)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        if let Some(address) = line.trim().strip_prefix("listening on http://") {
            let address = address.parse().unwrap();
            return Ok(Self {
                child,
                address,
                dir,
            });
        }
        let status = child.wait().unwrap();
        let said = std::fs::read_to_string(&stderr).unwrap_or_default();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(!status.success(), "neither served nor failed: {said}");
        Err(said)
    }

    /// A new connection to the server.
    #[must_use]
    pub fn connect(&self) -> TcpStream {
        TcpStream::connect(self.address).unwrap()
    }

    /// What the server wrote to stderr so far.
    #[must_use]
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("stderr.log")).unwrap_or_default()
    }
}

/// `config` with `extra`'s members over it, written as `dir/config.json`; its path.
pub fn write_config(
    dir: &Path,
    mut config: serde_json::Value,
    extra: &serde_json::Value,
) -> PathBuf {
    for (name, value) in extra.as_object().unwrap() {
        config[name] = value.clone();
    }
    let path = dir.join("config.json");
    std::fs::write(&path, config.to_string()).unwrap();
    path
}

/// The `X-Amz-Date` and `Authorization` header lines that the SDK's own signer (`aws-sigv4`)
/// gives a `POST /` with `headers` and `body`, signed by `(key, secret)` at `time` for
/// `cognito-idp` in `us-east-1`.
#[must_use]
pub fn sign(
    (key, secret): (&str, &str),
    time: SystemTime,
    headers: &[(&str, &str)],
    body: &[u8],
) -> String {
    use aws_sigv4::{
        http_request::{SignableBody, SignableRequest, SigningSettings, sign},
        sign::v4,
    };
    let identity = aws_credential_types::Credentials::new(key, secret, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("cognito-idp")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let request = SignableRequest::new(
        "POST",
        "http://test/",
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _) = sign(request, &params).unwrap().into_parts();
    instructions
        .headers()
        .map(|(name, value)| [name, ": ", value, "\r\n"].concat())
        .collect()
}

/// A `POST /` of `operation` with `body` and `extra` header lines, signed with the local
/// test key at its moment when `signer` gives one.
#[must_use]
pub fn raw_request(
    operation: &str,
    body: &str,
    signer: Option<((&str, &str), SystemTime)>,
    extra: &str,
) -> String {
    let target = format!("AWSCognitoIdentityProviderService.{operation}");
    let headers = [("host", "test"), ("x-amz-target", target.as_str())];
    let lines = signer.map_or_else(String::new, |(key, time)| {
        sign(key, time, &headers, body.as_bytes())
    });
    format!(
        "POST / HTTP/1.1\r\nHost: test\r\nX-Amz-Target: {target}\r\n{lines}{extra}\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// One HTTP/1.1 answer with a `Content-Length`: its status and JSON body (`Null` when empty
/// or not JSON); `None` if the server closed first.
pub fn read_answer(stream: &mut TcpStream) -> Option<(u16, serde_json::Value)> {
    let mut head = Vec::new();
    let mut byte = [0];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(0) | Err(_) => return None,
            Ok(_) => head.push(byte[0]),
        }
    }
    let head = String::from_utf8(head).unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).ok()?;
    Some((
        status,
        serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    ))
}

/// A new database named `prefix_…` on the cluster at `base` (`postgres://user@host:port`),
/// made over the test's own plaintext connection; its name.
pub async fn new_postgres_database(base: &str, prefix: &str) -> String {
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let (client, connection) =
        tokio_postgres::connect(&format!("{base}/postgres"), tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    name
}
