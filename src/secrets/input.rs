//! Reading a secret value from the user.

use std::io::{IsTerminal, Read};

use zeroize::{Zeroize, Zeroizing};

use super::SecretsError;
use super::store::MAX_VALUE_LEN;

/// Reads a secret value: from the terminal without echo when stdin is a TTY
/// (the prompt goes to stderr, so stdout stays clean for scripts), otherwise
/// all of stdin with one trailing newline (`\n` or `\r\n`) removed — so
/// `printf %s "$KEY" | ironclaw secrets set NAME` and `… <<< "$KEY"` both work.
///
/// An empty value is an error. The value never passes through an unwiped
/// buffer.
pub fn read_secret_value(prompt: &str) -> Result<Zeroizing<String>, SecretsError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let config = rpassword::ConfigBuilder::new()
            .output_writer(std::io::stderr())
            .build();
        let value = rpassword::prompt_password_with_config(prompt, config)
            .map(Zeroizing::new)
            .map_err(|e| {
                SecretsError::InvalidValue(format!(
                    "could not read the value from the terminal: {e}"
                ))
            })?;
        if value.is_empty() {
            return Err(SecretsError::InvalidValue(
                "no value entered (empty input)".into(),
            ));
        }
        Ok(value)
    } else {
        read_secret_from(stdin.lock())
    }
}

/// Reads all of `reader` as a secret value, removing one trailing newline.
pub(crate) fn read_secret_from(mut reader: impl Read) -> Result<Zeroizing<String>, SecretsError> {
    // Read into fixed, pre-sized buffers: growing a Vec would reallocate and
    // leave unwiped copies of the value in freed memory.
    let mut value = Zeroizing::new(Vec::with_capacity(MAX_VALUE_LEN + 2));
    let mut chunk = Zeroizing::new([0u8; 4096]);
    loop {
        let n = match reader.read(&mut chunk[..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(SecretsError::InvalidValue(format!(
                    "could not read the value from standard input: {e}"
                )));
            }
        };
        if value.len() + n > MAX_VALUE_LEN + 2 {
            return Err(SecretsError::InvalidValue(format!(
                "the value on standard input is larger than {MAX_VALUE_LEN} bytes"
            )));
        }
        value.extend_from_slice(&chunk[..n]);
    }
    if value.last() == Some(&b'\n') {
        value.pop();
        if value.last() == Some(&b'\r') {
            value.pop();
        }
    }
    if value.is_empty() {
        return Err(SecretsError::InvalidValue(
            "standard input was empty; pipe the value in, or run in a terminal to be prompted"
                .into(),
        ));
    }
    if value.len() > MAX_VALUE_LEN {
        return Err(SecretsError::InvalidValue(format!(
            "the value on standard input is larger than {MAX_VALUE_LEN} bytes"
        )));
    }
    let bytes = std::mem::take(&mut *value);
    String::from_utf8(bytes).map(Zeroizing::new).map_err(|e| {
        e.into_bytes().zeroize();
        SecretsError::InvalidValue("the value on standard input is not UTF-8 text".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8]) -> Result<String, SecretsError> {
        read_secret_from(input).map(|v| v.to_string())
    }

    #[test]
    fn strips_exactly_one_trailing_newline() {
        assert_eq!(read(b"sk-abc\n").unwrap(), "sk-abc");
        assert_eq!(read(b"sk-abc\r\n").unwrap(), "sk-abc");
        assert_eq!(read(b"sk-abc").unwrap(), "sk-abc");
        assert_eq!(read(b"sk-abc\n\n").unwrap(), "sk-abc\n");
        assert_eq!(read(b" spaced \n").unwrap(), " spaced ");
        assert_eq!(read(b"multi\nline\n").unwrap(), "multi\nline");
    }

    #[test]
    fn empty_input_is_an_error() {
        for input in [&b""[..], b"\n", b"\r\n"] {
            assert!(matches!(read(input), Err(SecretsError::InvalidValue(_))));
        }
    }

    #[test]
    fn large_and_non_utf8_inputs() {
        let max = vec![b'a'; MAX_VALUE_LEN];
        assert_eq!(read(&max).unwrap().len(), MAX_VALUE_LEN);
        let mut with_nl = max.clone();
        with_nl.extend_from_slice(b"\r\n");
        assert_eq!(read(&with_nl).unwrap().len(), MAX_VALUE_LEN);
        let too_big = vec![b'a'; MAX_VALUE_LEN + 1];
        assert!(matches!(read(&too_big), Err(SecretsError::InvalidValue(_))));
        let huge = vec![b'a'; 10 * MAX_VALUE_LEN];
        assert!(matches!(read(&huge), Err(SecretsError::InvalidValue(_))));
        let err = read(b"\xff\xfesecret").unwrap_err();
        assert!(!err.to_string().contains("secret\""), "{err}");
    }

    #[test]
    fn reads_in_many_small_chunks() {
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(3).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let v = read_secret_from(Trickle(b"0123456789abcdef\n")).unwrap();
        assert_eq!(v.as_str(), "0123456789abcdef");
    }
}
