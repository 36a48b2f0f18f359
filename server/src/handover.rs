//! Releases without a failed request: a new `stoa serve` takes the running one's listening
//! socket instead of opening its own.
//!
//! The running process keeps a control socket (STOA_HANDOVER_SOCKET, a Unix socket). A new
//! process connects to it, asks for the listener, and receives the very same socket (its
//! file descriptor, passed with SCM_RIGHTS): both processes now accept from one queue, so
//! no connection waiting in it is lost. Once the new process serves, it says so; the old
//! one stops accepting, finishes its in-flight requests and exits, and the new one takes
//! the control socket over for the next release. If the new process fails before it is
//! ready, the old one never stops.
//!
//! Without a control socket the listener is opened with SO_REUSEPORT, so several processes
//! can still share one address (a reverse proxy in front is the other way to run several).

use sendfd::{RecvWithFd, SendWithFd};
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::os::fd::{FromRawFd, RawFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

const ASK: &[u8] = b"listener\n";
const READY: &[u8] = b"ready\n";
const STOPPING: &str = "stopping";
/// How long a new process may take from receiving the listener to serving.
const READY_PATIENCE: Duration = Duration::from_secs(300);

/// The previous process, when the listener came from it: told to stop once we serve.
pub struct Predecessor(Option<UnixStream>);

/// The listening socket: the running process's (through `control`), or a new one on
/// `addr` with SO_REUSEPORT.
pub fn listen(
    addr: SocketAddr,
    control: Option<&Path>,
) -> std::io::Result<(tokio::net::TcpListener, Predecessor)> {
    if let Some(path) = control {
        match take_over(path) {
            Ok(Some((std_listener, predecessor))) => {
                std_listener.set_nonblocking(true)?;
                tracing::info!(control = %path.display(), "listening socket received from the running server");
                return Ok((
                    tokio::net::TcpListener::from_std(std_listener)?,
                    Predecessor(Some(predecessor)),
                ));
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, control = %path.display(), "the running server did not hand its socket over; opening one");
            }
        }
    }
    let socket = match addr {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.set_reuseport(true)?;
    socket.bind(addr)?;
    Ok((socket.listen(1024)?, Predecessor(None)))
}

/// Asks the server at `path` for its listener. `None` when nobody answers there.
fn take_over(path: &Path) -> std::io::Result<Option<(std::net::TcpListener, UnixStream)>> {
    let Ok(mut stream) = UnixStream::connect(path) else {
        return Ok(None);
    };
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(ASK)?;
    let mut fds = [-1 as RawFd; 1];
    let mut bytes = [0u8; 16];
    let (_, received) = stream.recv_with_fd(&mut bytes, &mut fds)?;
    if received != 1 || fds[0] < 0 {
        return Err(std::io::Error::other("no socket came with the answer"));
    }
    // SAFETY: the descriptor was just received with SCM_RIGHTS, is open, and is owned by
    // nothing else in this process.
    let listener = unsafe { std::net::TcpListener::from_raw_fd(fds[0]) };
    stream.set_read_timeout(None)?;
    Ok(Some((listener, stream)))
}

impl Predecessor {
    /// Call once the server accepts on `listener_fd`: tells the previous process to stop
    /// (and waits until it has stopped accepting), then serves the control socket at
    /// `control` for the next release, which triggers `stop` once it is ready. Blocking.
    pub fn serving(
        self,
        listener_fd: RawFd,
        control: Option<PathBuf>,
        stop: tokio::sync::watch::Sender<bool>,
    ) -> std::io::Result<ControlSocket> {
        if let Some(mut predecessor) = self.0 {
            predecessor.write_all(READY)?;
            predecessor.set_read_timeout(Some(Duration::from_secs(30)))?;
            let mut answer = String::new();
            BufReader::new(&predecessor).read_line(&mut answer)?;
            if answer.trim() != STOPPING {
                return Err(std::io::Error::other(format!(
                    "the previous server answered {answer:?} instead of stopping"
                )));
            }
            tracing::info!("the previous server stopped accepting; it finishes its requests");
        }
        let handed_over = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        if let Some(path) = &control {
            // The previous server's file (it no longer answers) or one left by a crash.
            std::fs::remove_file(path).ok();
            let listener = UnixListener::bind(path)?;
            let flag = handed_over.clone();
            std::thread::Builder::new()
                .name("stoa-handover".to_owned())
                .spawn(move || serve_handovers(listener, listener_fd, stop, flag))?;
            tracing::info!(control = %path.display(), "a new release can take this server's socket");
        }
        Ok(ControlSocket {
            path: control,
            handed_over,
        })
    }
}

/// The control socket's file, removed when the server stops, unless a successor has
/// taken it over.
pub struct ControlSocket {
    path: Option<PathBuf>,
    handed_over: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for ControlSocket {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            if !self.handed_over.load(std::sync::atomic::Ordering::SeqCst) {
                std::fs::remove_file(path).ok();
            }
        }
    }
}

/// Answers successors one at a time: sends the listener, waits for "ready", then stops
/// this server. A successor that disconnects before it is ready changes nothing.
fn serve_handovers(
    control: UnixListener,
    listener_fd: RawFd,
    stop: tokio::sync::watch::Sender<bool>,
    handed_over: std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    for stream in control.incoming() {
        let Ok(mut stream) = stream else { continue };
        match hand_over(&mut stream, listener_fd) {
            Ok(()) => {
                handed_over.store(true, std::sync::atomic::Ordering::SeqCst);
                tracing::info!("a new release is serving on this socket; stopping");
                stop.send_replace(true);
                stream.write_all(format!("{STOPPING}\n").as_bytes()).ok();
                return;
            }
            Err(error) => {
                tracing::warn!(%error, "a new release asked for the socket but did not become ready; still serving")
            }
        }
    }
}

fn hand_over(stream: &mut UnixStream, listener_fd: RawFd) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut asked = String::new();
    reader.read_line(&mut asked)?;
    if asked.as_bytes() != ASK {
        return Err(std::io::Error::other(format!(
            "unexpected request {asked:?}"
        )));
    }
    stream.send_with_fd(b"socket\n", &[listener_fd])?;
    stream.set_read_timeout(Some(READY_PATIENCE))?;
    let mut ready = String::new();
    reader.read_line(&mut ready)?;
    if ready.as_bytes() == READY {
        Ok(())
    } else {
        Err(std::io::Error::other("disconnected before it was ready"))
    }
}

/// The listener as the server accepts from it: it stops accepting as soon as a successor
/// is ready (new connections then all go to the successor, which shares the queue), while
/// the connections it already accepted are still read and answered; the graceful shutdown
/// that closes idle connections starts only a moment later (`SUCCESSOR_GRACE`).
pub struct Accepting {
    listener: tokio::net::TcpListener,
    stop: Option<tokio::sync::watch::Receiver<bool>>,
}

/// How long a stopping server keeps reading connections it accepted just before its
/// successor was ready, before closing the ones that are still idle.
pub const SUCCESSOR_GRACE: Duration = Duration::from_secs(2);

impl Accepting {
    pub fn new(
        listener: tokio::net::TcpListener,
        stop: tokio::sync::watch::Receiver<bool>,
    ) -> Self {
        Self {
            listener,
            stop: Some(stop),
        }
    }
}

impl axum::serve::Listener for Accepting {
    type Io = tokio::net::TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            if self.stop.as_ref().is_some_and(|stop| *stop.borrow()) {
                return std::future::pending().await;
            }
            let stop_changed = async {
                match self.stop.as_mut() {
                    Some(stop) => stop.changed().await.is_ok(),
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(connection) => return connection,
                    // Like axum's own listener: a failed accept (too many open files, a
                    // connection reset while queued) is logged and retried shortly.
                    Err(error) => {
                        tracing::warn!(%error, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                still_connected = stop_changed => {
                    // Without a control socket the sender is gone: nothing will stop us.
                    if !still_connected {
                        self.stop = None;
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}
