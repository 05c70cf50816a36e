//! Minimal JSON writing for descriptions crossing the C ABI (std only).

/// Escape `s` for use inside a JSON string literal.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A JSON array of strings.
pub fn str_array<S: AsRef<str>>(items: &[S]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|s| format!("\"{}\"", esc(s.as_ref())))
        .collect();
    format!("[{}]", parts.join(","))
}

/// A JSON array of integers.
pub fn int_array(items: &[i64]) -> String {
    let parts: Vec<String> = items.iter().map(|v| v.to_string()).collect();
    format!("[{}]", parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_quotes_backslashes_and_controls() {
        assert_eq!(esc("a\"b\\c\nd\u{1}"), "a\\\"b\\\\c\\nd\\u0001");
        assert_eq!(str_array(&["x", "y\""]), "[\"x\",\"y\\\"\"]");
        assert_eq!(int_array(&[-1, 576]), "[-1,576]");
        assert_eq!(str_array::<&str>(&[]), "[]");
    }
}
