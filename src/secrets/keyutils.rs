//! A small client for the Linux kernel key retention service ("keyutils"),
//! made of raw `add_key(2)` / `keyctl(2)` syscalls through `libc`.
//!
//! # Where the master key is kept, and why there
//!
//! The key is a `user`-type key described `keyring:{account}@{service}` (the
//! naming convention of the `keyring` crate's keyutils store, so `keyctl` and
//! other keyring tools see the same entry). It is linked into:
//!
//! * the **user keyring** (`@u`): one per user (per user namespace), shared by
//!   all of the user's processes. Since Linux 5.3 it lives until reboot, also
//!   across logout; on older kernels until the user's last process exits.
//! * the user's **persistent keyring** (`keyctl get_persistent`), when the
//!   kernel has one (`CONFIG_PERSISTENT_KEYRINGS`): it survives logout on every
//!   kernel, and expires after `/proc/sys/kernel/keys/persistent_keyring_expiry`
//!   seconds (3 days by default) without use. Every load and store refreshes
//!   that timer and re-links the key into whichever of the two lost it.
//!
//! **Nothing in the kernel keyring survives a reboot.**
//!
//! The key is deliberately *not* kept in the session keyring: a session
//! keyring joined by IronClaw itself (`KEYCTL_JOIN_SESSION_KEYRING`) is
//! private to the process and disappears — with the key — when the process
//! exits; a login session's keyring disappears at logout. Verified here: a key
//! added to a freshly joined session keyring is gone for the next process.
//!
//! # Possession and permissions
//!
//! The kernel grants most rights to a key's *possessor*: a process that can
//! reach the key from its own thread, process or session keyring. Whether the
//! session keyring links the user keyring depends on how the session was set
//! up (pam_keyinit, systemd, `su`, containers…), so this client never relies on
//! it: every operation first anchors what it touches in the calling thread's
//! own **thread keyring** (always possessed, created on demand, private to the
//! thread), and the key itself is given permissions `0x3f3f0000`: everything
//! for the possessor and for processes of the same uid, nothing for group and
//! others. Same-uid processes can read it either way — this is the same trust
//! boundary as an unlocked Secret Service collection.

use std::ffi::{CString, c_long};
use std::fmt;

use zeroize::Zeroizing;

type KeySerial = i32;

// From <linux/keyctl.h> (stable kernel ABI).
const KEY_SPEC_THREAD_KEYRING: KeySerial = -1;
const KEY_SPEC_SESSION_KEYRING: KeySerial = -3;
const KEY_SPEC_USER_KEYRING: KeySerial = -4;
const KEY_SPEC_USER_SESSION_KEYRING: KeySerial = -5;

const KEYCTL_GET_KEYRING_ID: c_long = 0;
#[cfg(test)]
const KEYCTL_JOIN_SESSION_KEYRING: c_long = 1;
const KEYCTL_SETPERM: c_long = 5;
const KEYCTL_LINK: c_long = 8;
const KEYCTL_UNLINK: c_long = 9;
const KEYCTL_SEARCH: c_long = 10;
const KEYCTL_READ: c_long = 11;
const KEYCTL_INVALIDATE: c_long = 21;
const KEYCTL_GET_PERSISTENT: c_long = 22;

/// Possessor: view, read, write, search, link, setattr; user (same uid): the
/// same; group and other: nothing.
const KEY_PERM: c_long = 0x3f3f_0000;

const KEY_TYPE: &str = "user";

/// An errno from a keyutils syscall, printed with its symbolic name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Errno(pub(crate) i32);

impl Errno {
    fn last() -> Self {
        Errno(
            std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO),
        )
    }

    fn name(self) -> &'static str {
        match self.0 {
            libc::ENOKEY => "ENOKEY",
            libc::EKEYEXPIRED => "EKEYEXPIRED",
            libc::EKEYREVOKED => "EKEYREVOKED",
            libc::EKEYREJECTED => "EKEYREJECTED",
            libc::EACCES => "EACCES",
            libc::EPERM => "EPERM",
            libc::ENOSYS => "ENOSYS",
            libc::EOPNOTSUPP => "EOPNOTSUPP",
            libc::EDQUOT => "EDQUOT",
            libc::ENOMEM => "ENOMEM",
            libc::EINVAL => "EINVAL",
            libc::EFAULT => "EFAULT",
            libc::ENOTDIR => "ENOTDIR",
            _ => "errno",
        }
    }

    fn is_missing(self) -> bool {
        matches!(self.0, libc::ENOKEY | libc::EKEYEXPIRED | libc::EKEYREVOKED)
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}: {})",
            self.name(),
            self.0,
            std::io::Error::from_raw_os_error(self.0)
        )
    }
}

fn keyctl(op: c_long, a2: c_long, a3: c_long, a4: c_long, a5: c_long) -> Result<c_long, Errno> {
    // SAFETY: keyctl(2) with plain integer arguments, or pointers that the
    // callers below keep alive (C strings, buffers with their true length).
    // Every argument is passed as a full `long`, as the kernel reads them.
    let r = unsafe { libc::syscall(libc::SYS_keyctl, op, a2, a3, a4, a5) };
    if r < 0 { Err(Errno::last()) } else { Ok(r) }
}

fn cstring(s: &str) -> Result<CString, String> {
    CString::new(s).map_err(|_| format!("key description {s:?} contains a NUL byte"))
}

fn add_key(description: &str, payload: &[u8], keyring: KeySerial) -> Result<KeySerial, Errno> {
    let ty = CString::new(KEY_TYPE).expect("no NUL");
    let desc = CString::new(description).map_err(|_| Errno(libc::EINVAL))?;
    // SAFETY: valid NUL-terminated strings and a payload pointer/length pair
    // that outlive the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_add_key,
            ty.as_ptr(),
            desc.as_ptr(),
            payload.as_ptr(),
            payload.len(),
            keyring as c_long,
        )
    };
    if r < 0 {
        Err(Errno::last())
    } else {
        Ok(r as KeySerial)
    }
}

fn get_keyring_id(special: KeySerial, create: bool) -> Result<KeySerial, Errno> {
    keyctl(
        KEYCTL_GET_KEYRING_ID,
        special as c_long,
        create as c_long,
        0,
        0,
    )
    .map(|id| id as KeySerial)
}

/// Links the user's persistent keyring into `dest` and returns its id.
/// Also resets the persistent keyring's expiry timer.
fn get_persistent(dest: KeySerial) -> Result<KeySerial, Errno> {
    // uid -1: the caller's own uid.
    keyctl(KEYCTL_GET_PERSISTENT, -1, dest as c_long, 0, 0).map(|id| id as KeySerial)
}

fn search(
    keyring: KeySerial,
    description: &str,
    dest: KeySerial,
) -> Result<Option<KeySerial>, Errno> {
    let ty = CString::new(KEY_TYPE).expect("no NUL");
    let desc = CString::new(description).map_err(|_| Errno(libc::EINVAL))?;
    match keyctl(
        KEYCTL_SEARCH,
        keyring as c_long,
        ty.as_ptr() as c_long,
        desc.as_ptr() as c_long,
        dest as c_long,
    ) {
        Ok(id) => Ok(Some(id as KeySerial)),
        Err(e) if e.is_missing() => Ok(None),
        Err(e) => Err(e),
    }
}

fn read(key: KeySerial) -> Result<Zeroizing<Vec<u8>>, Errno> {
    loop {
        let size = keyctl(KEYCTL_READ, key as c_long, 0, 0, 0)? as usize;
        let mut buf = Zeroizing::new(vec![0u8; size]);
        let n = keyctl(
            KEYCTL_READ,
            key as c_long,
            buf.as_mut_ptr() as c_long,
            size as c_long,
            0,
        )? as usize;
        if n <= size {
            // Shrinking never reallocates: no unwiped copy is left behind.
            buf.truncate(n);
            return Ok(buf);
        }
        // The payload grew between the two calls (concurrent update): retry.
    }
}

fn link(key: KeySerial, keyring: KeySerial) -> Result<(), Errno> {
    keyctl(KEYCTL_LINK, key as c_long, keyring as c_long, 0, 0).map(drop)
}

fn unlink(key: KeySerial, keyring: KeySerial) -> Result<(), Errno> {
    keyctl(KEYCTL_UNLINK, key as c_long, keyring as c_long, 0, 0).map(drop)
}

/// State of the calling thread's session keyring (for diagnostics and tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SessionKeyring {
    /// A session keyring of its own (login session, `keyctl session`, …).
    Own(i32),
    /// Only the per-user default session keyring (`_uid_ses.UID`): what a
    /// process gets when nothing (pam_keyinit, systemd) set one up.
    UserDefault(i32),
    /// No usable session keyring: the lookup failed with this errno.
    Unusable(Errno),
}

pub(crate) fn session_keyring() -> SessionKeyring {
    match get_keyring_id(KEY_SPEC_SESSION_KEYRING, false) {
        Err(e) => SessionKeyring::Unusable(e),
        Ok(id) => match get_keyring_id(KEY_SPEC_USER_SESSION_KEYRING, false) {
            Ok(us) if us == id => SessionKeyring::UserDefault(id),
            _ => SessionKeyring::Own(id),
        },
    }
}

/// Joins a new anonymous session keyring (`KEYCTL_JOIN_SESSION_KEYRING` with
/// no name). Affects the calling thread's credentials only.
///
/// Not used when storing the master key (see the module docs: a key kept in
/// such a keyring dies with the process); kept for tests that check the
/// backend works from inside a fresh session.
#[cfg(test)]
pub(crate) fn join_anonymous_session_keyring() -> Result<i32, Errno> {
    keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0).map(|id| id as i32)
}

/// What the kernel offers here.
#[derive(Clone, Debug)]
pub(crate) struct Probe {
    pub(crate) user_keyring: i32,
    /// The persistent keyring's id, or why there is none.
    pub(crate) persistent: Result<i32, Errno>,
    pub(crate) session: SessionKeyring,
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "user keyring {}", self.user_keyring)?;
        match self.persistent {
            Ok(id) => write!(f, ", persistent keyring {id}")?,
            Err(e) => write!(f, ", no persistent keyring ({e})")?,
        }
        match self.session {
            SessionKeyring::Own(id) => write!(f, ", session keyring {id}"),
            SessionKeyring::UserDefault(id) => {
                write!(f, ", only the user-default session keyring {id}")
            }
            SessionKeyring::Unusable(e) => write!(f, ", no usable session keyring ({e})"),
        }
    }
}

/// Checks that the key retention service works for this process: the user
/// keyring can be looked up (created if need be). Fails with ENOSYS on kernels
/// without keys, or EPERM/EACCES under a seccomp or LSM policy forbidding them.
pub(crate) fn probe() -> Result<Probe, Errno> {
    let user_keyring = get_keyring_id(KEY_SPEC_USER_KEYRING, true)?;
    // The thread keyring is created on demand; if even that fails, we cannot
    // anchor anything (e.g. key quota exhausted).
    get_keyring_id(KEY_SPEC_THREAD_KEYRING, true)?;
    Ok(Probe {
        user_keyring,
        persistent: get_persistent(KEY_SPEC_THREAD_KEYRING),
        session: session_keyring(),
    })
}

/// One named key slot, e.g. `keyring:master-key@ironclaw`.
#[derive(Clone, Debug)]
pub(crate) struct Slot {
    description: String,
}

impl Slot {
    pub(crate) fn new(service: &str, account: &str) -> Result<Self, String> {
        let description = format!("keyring:{account}@{service}");
        cstring(&description)?;
        Ok(Slot { description })
    }

    pub(crate) fn description(&self) -> &str {
        &self.description
    }

    fn persistent(&self) -> Option<KeySerial> {
        match get_persistent(KEY_SPEC_THREAD_KEYRING) {
            Ok(id) => Some(id),
            Err(e) => {
                tracing::debug!(errno = %e, "no persistent keyring; using the user keyring only");
                None
            }
        }
    }

    /// Finds the key in the user keyring, else in the persistent keyring, and
    /// links it into the thread keyring (so it is possessed).
    fn find(&self, persistent: Option<KeySerial>) -> Result<Option<(KeySerial, bool)>, Errno> {
        if let Some(id) = search(
            KEY_SPEC_USER_KEYRING,
            &self.description,
            KEY_SPEC_THREAD_KEYRING,
        )? {
            return Ok(Some((id, true)));
        }
        if let Some(p) = persistent
            && let Some(id) = search(p, &self.description, KEY_SPEC_THREAD_KEYRING)?
        {
            return Ok(Some((id, false)));
        }
        Ok(None)
    }

    /// Reads the payload; `None` when there is no such key.
    pub(crate) fn read(&self) -> Result<Option<Zeroizing<Vec<u8>>>, String> {
        let persistent = self.persistent();
        let Some((id, in_user)) = self
            .find(persistent)
            .map_err(|e| format!("searching for key {:?}: {e}", self.description))?
        else {
            return Ok(None);
        };
        let payload = read(id);
        // Heal: re-link into whichever keyring lost it (the user keyring after
        // a logout on old kernels; the persistent one after it expired).
        if !in_user && let Err(e) = link(id, KEY_SPEC_USER_KEYRING) {
            tracing::debug!(errno = %e, "could not re-link the key into the user keyring");
        }
        if let Some(p) = persistent
            && let Err(e) = link(id, p)
        {
            tracing::debug!(errno = %e, "could not link the key into the persistent keyring");
        }
        let _ = unlink(id, KEY_SPEC_THREAD_KEYRING);
        payload
            .map(Some)
            .map_err(|e| format!("reading key {:?}: {e}", self.description))
    }

    /// Creates or replaces the key.
    pub(crate) fn write(&self, payload: &[u8]) -> Result<(), String> {
        let what = |op: &str, e: Errno| format!("{op} for key {:?}: {e}", self.description);
        let persistent = self.persistent();
        let id = add_key(&self.description, payload, KEY_SPEC_THREAD_KEYRING)
            .map_err(|e| what("add_key", e))?;
        let result = (|| {
            keyctl(KEYCTL_SETPERM, id as c_long, KEY_PERM, 0, 0)
                .map_err(|e| what("keyctl(KEYCTL_SETPERM)", e))?;
            // Linking replaces any older key with the same description.
            link(id, KEY_SPEC_USER_KEYRING)
                .map_err(|e| what("keyctl(KEYCTL_LINK) into the user keyring", e))?;
            if let Some(p) = persistent
                && let Err(e) = link(id, p)
            {
                tracing::warn!(
                    errno = %e,
                    "could not link the master key into the persistent keyring; \
                     it is kept in the user keyring only"
                );
            }
            Ok(())
        })();
        let _ = unlink(id, KEY_SPEC_THREAD_KEYRING);
        result
    }

    /// Invalidates the key (it vanishes from every keyring). `false` when
    /// there was none.
    pub(crate) fn delete(&self) -> Result<bool, String> {
        let persistent = self.persistent();
        let mut deleted = false;
        // Loop: an older copy may still sit in the persistent keyring. An
        // invalidated key is never found again, so this ends; the bound is a
        // guard against kernel surprises.
        for _ in 0..8 {
            let Some((id, _)) = self
                .find(persistent)
                .map_err(|e| format!("searching for key {:?}: {e}", self.description))?
            else {
                break;
            };
            keyctl(KEYCTL_INVALIDATE, id as c_long, 0, 0, 0)
                .map_err(|e| format!("invalidating key {:?}: {e}", self.description))?;
            // Invalidation is immediate for searches, but garbage collection
            // unlinks lazily: unlink explicitly so the loop terminates.
            let _ = unlink(id, KEY_SPEC_USER_KEYRING);
            if let Some(p) = persistent {
                let _ = unlink(id, p);
            }
            let _ = unlink(id, KEY_SPEC_THREAD_KEYRING);
            deleted = true;
        }
        Ok(deleted)
    }
}
