use std::net::IpAddr;

use proptest::prelude::*;
use zeroize::Zeroizing;

use super::*;

fn manifest() -> Manifest {
    Manifest::parse(
        r#"
[tool]
name = "gh"
version = "1.0.0"
description = "GitHub issues."

[[http.allow]]
host = "api.github.com"
path = "/repos/"
methods = ["GET", "POST"]

[[http.allow]]
host = "*.cdn-example.net"

[[http.allow]]
host = "status.example.org"
scheme = "http"
port = 8080
path = "/health"

[[secrets]]
name = "gh_token"
hosts = ["api.github.com"]
bearer = true

[[secrets]]
name = "raw_key"
hosts = ["*.cdn-example.net"]
query = "token"
"#,
    )
    .unwrap()
}

#[test]
fn allowed_requests_get_their_rule_and_credentials() {
    let m = manifest();
    let g = check_request(
        &m,
        "get",
        "https://api.github.com/repos/a/b/issues?state=open",
    )
    .unwrap();
    assert_eq!(g.method, Method::Get);
    assert_eq!(g.rule.host.to_string(), "api.github.com");
    let names: Vec<&str> = g.credentials.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["gh_token"]);
    // Case, a trailing dot and the explicit default port are the same host.
    for url in [
        "https://API.GitHub.com/repos/x",
        "https://api.github.com./repos/x",
        "https://api.github.com:443/repos/x",
    ] {
        assert!(check_request(&m, "POST", url).is_ok(), "{url}");
    }
    let g = check_request(&m, "GET", "https://raw.cdn-example.net/a/b/main/x").unwrap();
    assert_eq!(g.credentials[0].name, "raw_key");
    // Plain HTTP is allowed where a rule says so, but never carries a secret.
    let g = check_request(&m, "GET", "http://status.example.org:8080/health").unwrap();
    assert!(g.credentials.is_empty());
}

#[test]
fn tricks_and_everything_outside_the_allowlist_are_denied() {
    let m = manifest();
    let denied = [
        (
            "GET",
            "https://api.github.com@evil.example/repos/x",
            "user names",
        ),
        (
            "GET",
            "https://user:pw@api.github.com/repos/x",
            "user names",
        ),
        (
            "GET",
            "https://api.github.com.evil.example/repos/x",
            "outside",
        ),
        ("GET", "https://evilapi.github.com/repos/x", "outside"),
        ("GET", "https://cdn-example.net/x", "outside"),
        ("GET", "https://api.github.com/user", "outside"),
        ("GET", "https://api.github.com/repos", "outside"),
        ("GET", "https://api.github.com/repos/../user", "outside"),
        ("GET", "https://api.github.com/repos/%2e%2e/user", "outside"),
        (
            "GET",
            "https://api.github.com/repos/a%2F..%2F..%2Fuser",
            "percent-encoded",
        ),
        (
            "GET",
            "https://api.github.com/repos/a%5cb",
            "percent-encoded",
        ),
        ("GET", "https://api.github.com/repos/..;/user", "`..;`"),
        ("GET", "https://api.github.com/repos/.;x/user", "`..;`"),
        (
            "GET",
            "https://api.github.com/repos/a%252f..%252fuser",
            "percent-encoded",
        ),
        ("GET", "https://*.cdn-example.net/x", "not a valid DNS name"),
        (
            "GET",
            "https://..x.cdn-example.net/x",
            "not a valid DNS name",
        ),
        (
            "GET",
            "https://a_b.cdn-example.net/x",
            "not a valid DNS name",
        ),
        (
            "GET",
            "https://api.github.com../repos/x",
            "not a valid DNS name",
        ),
        (
            "GET",
            "https://api.github.com\\@evil.example/repos/",
            "contains '\\\\'",
        ),
        ("GET", "https://api.github.com/repos/a\tb", "contains"),
        ("GET", "https://api.github.com/repos/a b", "contains"),
        ("GET", "https://api.github.com:8443/repos/x", "outside"),
        ("GET", "http://api.github.com/repos/x", "outside"),
        ("DELETE", "https://api.github.com/repos/x", "outside"),
        (
            "TRACE",
            "https://api.github.com/repos/x",
            "not an HTTP method",
        ),
        ("GET", "https://140.82.112.6/repos/x", "IP addresses"),
        ("GET", "https://[::1]/repos/x", "IP addresses"),
        ("GET", "https://0x7f.1/repos/x", "IP addresses"),
        ("GET", "file:///etc/passwd", "scheme"),
        ("GET", "ftp://api.github.com/repos/", "scheme"),
        ("GET", "not a url", "contains"),
        ("GET", "//api.github.com/repos/", "not a valid URL"),
        ("GET", "http://status.example.org/health", "outside"),
        ("GET", "http://status.example.org:8080/healthz", "outside"),
    ];
    for (method, url, says) in denied {
        match check_request(&m, method, url) {
            Ok(g) => panic!("{method} {url} was allowed: {g:?}"),
            Err(Denied(msg)) => assert!(msg.contains(says), "{method} {url}: {msg}"),
        }
    }
    let Denied(msg) = check_request(&m, "GET", "https://x/\u{1b}[2Kfake").unwrap_err();
    assert!(!msg.contains('\u{1b}') && msg.contains("\\u{1b}"), "{msg}");
    let long = format!("https://api.github.com/repos/{}", "a".repeat(MAX_URL_BYTES));
    assert!(check_request(&m, "GET", &long).is_err());
    let Denied(msg) = check_request(&m, "GET", "https://example.com/").unwrap_err();
    assert_eq!(
        msg,
        "gh may not request https://example.com/: it is outside the manifest's allowlist \
         (GET,POST https://api.github.com/repos/…; GET https://*.cdn-example.net/…; \
         GET http://status.example.org:8080/health)"
    );
}

#[test]
fn a_secret_goes_only_where_the_matching_rule_covers_its_host() {
    let m = Manifest::parse(
        "[tool]\nname = \"t\"\nversion = \"1.0.0\"\ndescription = \"d\"\n\
         [[http.allow]]\nhost = \"api.example.com\"\n\
         [[http.allow]]\nhost = \"*.example.com\"\nport = 8443\n\
         [[http.allow]]\nhost = \"files.example.com\"\n\
         [[secrets]]\nname = \"k\"\nhosts = [\"api.example.com\"]\nbearer = true\n",
    )
    .unwrap();
    let with_key = |url: &str| {
        !check_request(&m, "GET", url)
            .unwrap()
            .credentials
            .is_empty()
    };
    assert!(with_key("https://api.example.com/x"));
    // The wildcard rule on 8443 allows the request, and it was also granted
    // to carry the key (it covers api.example.com); other hosts never get it.
    assert!(with_key("https://api.example.com:8443/x"));
    assert!(!with_key("https://files.example.com/x"));
    assert!(!with_key("https://other.example.com:8443/x"));
}

#[test]
fn no_network_grant_denies_everything() {
    let m = Manifest::parse("[tool]\nname = \"t\"\nversion = \"1.0.0\"\ndescription = \"d\"\n")
        .unwrap();
    let Denied(msg) = check_request(&m, "GET", "https://example.com/").unwrap_err();
    assert!(
        msg.ends_with("the tool's manifest grants no network access"),
        "{msg}"
    );
}

#[test]
fn credentials_replace_what_the_tool_set() {
    let m = manifest();
    let lookup = |name: &str| match name {
        "gh_token" => Some(Zeroizing::new("ghp_secret".to_string())),
        "raw_key" => Some(Zeroizing::new("k&v=1".to_string())),
        _ => None,
    };
    let g = check_request(&m, "GET", "https://api.github.com/repos/x").unwrap();
    let mut headers = vec![
        ("Authorization".to_string(), "Bearer forged".to_string()),
        ("accept".to_string(), "application/json".to_string()),
    ];
    let url = g.inject(&mut headers, lookup).unwrap();
    assert_eq!(url.as_str(), "https://api.github.com/repos/x");
    assert_eq!(
        headers,
        vec![
            ("accept".to_string(), "application/json".to_string()),
            ("authorization".to_string(), "Bearer ghp_secret".to_string()),
        ]
    );
    let g = check_request(&m, "GET", "https://raw.cdn-example.net/f?token=forged&a=1").unwrap();
    let mut headers = Vec::new();
    let url = g.inject(&mut headers, lookup).unwrap();
    assert_eq!(url.query(), Some("a=1&token=k%26v%3D1"));
    assert!(headers.is_empty());
    // The rest of the query is kept byte for byte.
    let g = check_request(
        &m,
        "GET",
        "https://raw.cdn-example.net/f?q=a%20b&flag&token=x",
    )
    .unwrap();
    let url = g.inject(&mut Vec::new(), lookup).unwrap();
    assert_eq!(url.query(), Some("q=a%20b&flag&token=k%26v%3D1"));
    // Headers that route or frame the request are the host's alone.
    for (name, value) in [
        ("Host", "other-tenant.example"),
        ("content-length", "0"),
        ("Transfer-Encoding", "chunked"),
        ("Proxy-Authorization", "x"),
        ("X-Ok", "a\r\nX-Evil: 1"),
        ("bad name", "x"),
    ] {
        let mut headers = vec![(name.to_string(), value.to_string())];
        let r = g.inject(&mut headers, lookup);
        assert!(r.is_err(), "{name}: {value:?} was accepted");
    }
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    assert!(g.inject(&mut headers, lookup).is_ok());
    // A missing secret says how to set it; a value that would split a header is refused.
    let Denied(msg) = g.inject(&mut Vec::new(), |_| None).unwrap_err();
    assert!(msg.contains("ironclaw secrets set raw_key"), "{msg}");
    let g = check_request(&m, "GET", "https://api.github.com/repos/x").unwrap();
    let Denied(msg) = g
        .inject(&mut Vec::new(), |_| {
            Some(Zeroizing::new("a\r\nX-Evil: 1".into()))
        })
        .unwrap_err();
    assert!(msg.contains("line break") && !msg.contains("Evil"), "{msg}");
}

#[test]
fn only_public_addresses_may_be_reached() {
    let refused = [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "100.64.0.1",
        "255.255.255.255",
        "224.0.0.1",
        "240.0.0.1",
        "192.0.0.8",
        "198.18.0.1",
        "203.0.113.5",
        "::1",
        "::",
        "fc00::1",
        "fd12::1",
        "fe80::1",
        "ff02::1",
        "2001:db8::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::10.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "2002:7f00:1::1",
        "2002:c0a8:101::1",
        "100::1",
        "64:ff9b:1::a00:1",
        "::ffff:0:7f00:1",
        "2001::1",
        "3fff::1",
        "2001:2::1",
    ];
    for ip in refused {
        let ip: IpAddr = ip.parse().unwrap();
        assert!(check_address(ip).is_err(), "{ip} should be refused");
    }
    for ip in [
        "140.82.112.6",
        "1.1.1.1",
        "2606:4700:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
    ] {
        let ip: IpAddr = ip.parse().unwrap();
        assert_eq!(check_address(ip), Ok(()), "{ip}");
    }
    let Denied(msg) = check_address("169.254.169.254".parse().unwrap()).unwrap_err();
    assert!(msg.contains("metadata"), "{msg}");
}

/// URLs assembled from hostile parts.
fn url_soup() -> impl Strategy<Value = String> {
    let scheme = prop_oneof![
        Just("https://"),
        Just("http://"),
        Just("HTTPS://"),
        Just("file://"),
        Just("")
    ];
    let userinfo = prop_oneof![Just(""), Just("api.github.com@"), Just("u:p@"), Just("@")];
    let host = prop_oneof![
        Just("api.github.com"),
        Just("API.GITHUB.COM."),
        Just("raw.cdn-example.net"),
        Just("cdn-example.net"),
        Just("api.github.com.evil.example"),
        Just("127.0.0.1"),
        Just("[::1]"),
        Just("status.example.org"),
        Just("xn--80ak6aa92e.com"),
        Just("аpi.github.com"),
        Just("*.cdn-example.net"),
        Just("..x.cdn-example.net"),
        Just("a_b.cdn-example.net"),
    ]
    .prop_map(String::from);
    let host = prop_oneof![host, "[a-z.]{1,20}"];
    let port = prop_oneof![
        Just(""),
        Just(":443"),
        Just(":80"),
        Just(":8080"),
        Just(":0"),
        Just(":99999")
    ];
    let seg = prop_oneof![
        Just("repos"),
        Just(".."),
        Just("."),
        Just("%2e%2e"),
        Just("%2F"),
        Just("%5C"),
        Just("health"),
        Just(""),
        Just("a b"),
        Just("\\"),
        Just("..;"),
        Just("%252e%252e"),
        Just(";x"),
    ]
    .prop_map(String::from);
    let seg = prop_oneof![seg, "[ -~]{0,6}", "\\PC{0,4}"];
    let path = proptest::collection::vec(seg, 0..5).prop_map(|s| format!("/{}", s.join("/")));
    let tail = prop_oneof![
        Just(""),
        Just("?x=1"),
        Just("#frag"),
        Just("?token=a&b=%00")
    ];
    (scheme, userinfo, host, port, path, tail)
        .prop_map(|(s, u, h, p, path, t)| format!("{s}{u}{h}{p}{path}{t}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::sandbox::fuzz_cases(), ..ProptestConfig::default() })]

    #[test]
    fn allowed_urls_are_inside_a_rule(url in url_soup(), method in "GET|POST|DELETE|get|TRACE|") {
        let m = manifest();
        if let Ok(g) = check_request(&m, &method, &url) {
            // Serialise and parse again, as the HTTP client will: the URL a
            // server sees is the one that was checked.
            let again = Url::parse(g.url.as_str()).unwrap();
            prop_assert_eq!(&again, &g.url);
            let u = &again;
            prop_assert!(!u.path().contains("%25") && !u.path().contains("..;"), "{}", u);
            prop_assert!(u.username().is_empty() && u.password().is_none());
            let host = u.host_str().unwrap().trim_end_matches('.');
            prop_assert!(g.rule.host.matches(host), "{url} → {host}");
            prop_assert!(g.rule.path_matches(u.path()), "{url} → {}", u.path());
            prop_assert!(!u.path().split('/').any(|s| s == ".." || s == "."));
            prop_assert!(g.rule.methods.contains(&g.method));
            if u.scheme() == "http" {
                prop_assert!(g.credentials.is_empty());
            }
        }
    }

    #[test]
    fn arbitrary_strings_never_panic(url in any::<String>(), method in any::<String>()) {
        let m = manifest();
        let _ = check_request(&m, &method, &url);
    }

    #[test]
    fn addresses_never_panic(bits in any::<u128>(), v4 in any::<u32>()) {
        let _ = check_address(IpAddr::V6(std::net::Ipv6Addr::from(bits)));
        let _ = check_address(IpAddr::V4(std::net::Ipv4Addr::from(v4)));
    }
}
