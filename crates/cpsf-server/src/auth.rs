//! Credentials: Argon2id password hashes, API tokens (shown once, stored as a SHA-256 digest), session and CSRF
//! tokens, and the login rate limiter. Roles are the store's (`cpsf_store::Role`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What went wrong while handling a credential.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the operating system's random source failed: {0}")]
    Random(String),
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("a password must have at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
}

/// The shortest password `cpsf user add` accepts.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// An Argon2id hash of `password` as a PHC string (`$argon2id$v=19$m=...`), with a fresh random salt and the
/// crate's default cost (the OWASP-recommended minimum at the time of writing: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::PasswordTooShort);
    }
    let mut salt = [0u8; 16];
    fill_random(&mut salt)?;
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Whether `password` matches a PHC string made by [`hash_password`]. A malformed stored hash never matches.
pub fn verify_password(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// The prefix every API token starts with, so that secret scanners can recognise a leaked one.
pub const TOKEN_PREFIX: &str = "cpsf_";

/// A new API token: the secret shown once to its owner, a short prefix kept for display, and the digest stored.
#[derive(Debug)]
pub struct NewToken {
    pub secret: String,
    pub display_prefix: String,
    pub digest: String,
}

/// 32 random bytes, base64url, behind [`TOKEN_PREFIX`].
pub fn new_api_token() -> Result<NewToken, AuthError> {
    let secret = format!("{TOKEN_PREFIX}{}", random_string(32)?);
    let display_prefix = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
    let digest = token_digest(&secret);
    Ok(NewToken { secret, display_prefix, digest })
}

/// The stored form of a token: SHA-256, lower-case hex. Tokens are long random strings, so a fast digest is
/// enough (unlike passwords, they cannot be guessed from a dictionary).
pub fn token_digest(secret: &str) -> String {
    let digest = Sha256::digest(secret.trim().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random URL-safe string from `bytes` random bytes (session ids, CSRF tokens, webhook ids).
pub fn random_string(bytes: usize) -> Result<String, AuthError> {
    let mut buf = vec![0u8; bytes];
    fill_random(&mut buf)?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

fn fill_random(buf: &mut [u8]) -> Result<(), AuthError> {
    getrandom::fill(buf).map_err(|e| AuthError::Random(e.to_string()))
}

/// Compare two secrets in time that does not depend on where they differ.
pub fn secrets_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Failed logins per key (user name and client address) in a sliding window; once `max_failures` are reached,
/// further attempts are refused until the oldest failure leaves the window. A success clears the key.
#[derive(Debug)]
pub struct LoginLimiter {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginLimiter {
    pub fn new(max_failures: usize, window: Duration) -> Self {
        LoginLimiter { max_failures: max_failures.max(1), window, failures: Mutex::new(HashMap::new()) }
    }

    /// `Err(wait)` when `key` must wait before trying again.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(times) = failures.get_mut(key) else { return Ok(()) };
        times.retain(|t| now.saturating_duration_since(*t) < self.window);
        if times.len() < self.max_failures {
            return Ok(());
        }
        let oldest = times.iter().min().copied().unwrap_or(now);
        Err(self.window.saturating_sub(now.saturating_duration_since(oldest)))
    }

    pub fn record_failure(&self, key: &str, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Bound the table: drop keys whose failures have all left the window.
        if failures.len() > 10_000 {
            failures.retain(|_, times| times.iter().any(|t| now.saturating_duration_since(*t) < self.window));
        }
        failures.entry(key.to_owned()).or_default().push(now);
    }

    pub fn record_success(&self, key: &str) {
        self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(verify_password(&phc, "correct horse battery"));
        assert!(!verify_password(&phc, "correct horse batterY"));
        assert!(!verify_password("not a phc string", "correct horse battery"));
        // A fresh salt each time.
        assert_ne!(phc, hash_password("correct horse battery").unwrap());
        assert!(matches!(hash_password("short"), Err(AuthError::PasswordTooShort)));
    }

    #[test]
    fn tokens() {
        let t = new_api_token().unwrap();
        assert!(t.secret.starts_with(TOKEN_PREFIX));
        assert_eq!(t.secret.len(), TOKEN_PREFIX.len() + 43);
        assert!(t.secret.starts_with(&t.display_prefix));
        assert_eq!(t.digest, token_digest(&t.secret));
        assert_eq!(t.digest.len(), 64);
        assert_ne!(t.secret, new_api_token().unwrap().secret);
        assert!(secrets_equal(&t.secret, &t.secret.clone()));
        assert!(!secrets_equal(&t.secret, &new_api_token().unwrap().secret));
    }

    #[test]
    fn limiter_blocks_then_forgives() {
        let limiter = LoginLimiter::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(limiter.check("alice|127.0.0.1", t0).is_ok(), "attempt {i}");
            limiter.record_failure("alice|127.0.0.1", t0);
        }
        let wait = limiter.check("alice|127.0.0.1", t0 + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(limiter.check("bob|127.0.0.1", t0).is_ok(), "another key is not blocked");
        assert!(limiter.check("alice|127.0.0.1", t0 + Duration::from_secs(61)).is_ok(), "the window passed");
        limiter.record_failure("alice|127.0.0.1", t0);
        limiter.record_success("alice|127.0.0.1");
        assert!(limiter.check("alice|127.0.0.1", t0).is_ok());
    }
}
