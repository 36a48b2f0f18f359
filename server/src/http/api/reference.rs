//! `GET /api/v1`: the API reference for people, rendered on the server from the same
//! OpenAPI document that machines read (no script, nothing fetched from elsewhere).

use axum::http::header;
use axum::response::IntoResponse;
use serde_json::Value;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `#/components/schemas/ApiOrder` → `ApiOrder`, or the type of an inline schema.
fn schema_name(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference.rsplit('/').next().unwrap_or(reference).to_owned();
    }
    match schema.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "object".to_owned(),
    }
}

fn operation(method: &str, path: &str, op: &Value) -> String {
    let mut html = format!(
        "<section class=\"op\" id=\"{id}\"><h3><span class=\"method\">{method}</span> <code>{path}</code></h3>",
        id = escape(op.get("operationId").and_then(Value::as_str).unwrap_or(path)),
        method = method.to_uppercase(),
        path = escape(path),
    );
    if let Some(text) = op
        .get("description")
        .or_else(|| op.get("summary"))
        .and_then(Value::as_str)
    {
        html.push_str(&format!("<p>{}</p>", escape(text)));
    }
    if let Some(params) = op.get("parameters").and_then(Value::as_array) {
        html.push_str("<table><caption>Parameters</caption><thead><tr><th>name</th><th>in</th><th>type</th><th>meaning</th></tr></thead><tbody>");
        for param in params {
            html.push_str(&format!(
                "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(param.get("name").and_then(Value::as_str).unwrap_or("")),
                if param.get("required").and_then(Value::as_bool) == Some(true) {
                    " (required)"
                } else {
                    ""
                },
                escape(param.get("in").and_then(Value::as_str).unwrap_or("")),
                escape(&param.get("schema").map(schema_name).unwrap_or_default()),
                escape(
                    param
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                ),
            ));
        }
        html.push_str("</tbody></table>");
    }
    if let Some(body) = op.pointer("/requestBody/content/application~1json/schema") {
        html.push_str(&format!(
            "<p>Body: <a href=\"#schema-{name}\"><code>{name}</code></a> (JSON; unknown fields are refused)</p>",
            name = escape(&schema_name(body))
        ));
    }
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        html.push_str("<table><caption>Responses</caption><thead><tr><th>status</th><th>meaning</th><th>body</th></tr></thead><tbody>");
        for (status, response) in responses {
            let body = response
                .pointer("/content/application~1json/schema")
                .map(schema_name)
                .unwrap_or_default();
            html.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td><a href=\"#schema-{body}\"><code>{body}</code></a></td></tr>",
                escape(status),
                escape(response.get("description").and_then(Value::as_str).unwrap_or("")),
                body = escape(&body),
            ));
        }
        html.push_str("</tbody></table>");
    }
    html.push_str("</section>");
    html
}

fn schema(name: &str, schema: &Value) -> String {
    let mut html = format!(
        "<section class=\"schema\" id=\"schema-{0}\"><h3><code>{0}</code></h3>",
        escape(name)
    );
    if let Some(text) = schema.get("description").and_then(Value::as_str) {
        html.push_str(&format!("<p>{}</p>", escape(text)));
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        html.push_str(
            "<table><thead><tr><th>field</th><th>type</th><th>meaning</th></tr></thead><tbody>",
        );
        for (field, property) in properties {
            let kind = match property.get("items") {
                Some(items) => format!("array of {}", schema_name(items)),
                None => property
                    .get("oneOf")
                    .and_then(Value::as_array)
                    .map(|options| {
                        options
                            .iter()
                            .map(schema_name)
                            .collect::<Vec<_>>()
                            .join(" or ")
                    })
                    .unwrap_or_else(|| schema_name(property)),
            };
            html.push_str(&format!(
                "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td></tr>",
                escape(field),
                if required.contains(&field.as_str()) {
                    ""
                } else {
                    " (optional)"
                },
                escape(&kind),
                escape(
                    property
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                ),
            ));
        }
        html.push_str("</tbody></table>");
    }
    html.push_str("</section>");
    html
}

pub async fn page() -> impl IntoResponse {
    let document = super::document();
    let info = &document["info"];
    let mut body = format!(
        "<h1>{}</h1><p>{}</p><p>Machine-readable: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> (OpenAPI {}).</p><h2>Endpoints</h2>",
        escape(info["title"].as_str().unwrap_or("API")),
        escape(info["description"].as_str().unwrap_or("")),
        escape(document["openapi"].as_str().unwrap_or("3.1")),
    );
    if let Some(paths) = document["paths"].as_object() {
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                if let Some(op) = item.get(method) {
                    body.push_str(&operation(method, path, op));
                }
            }
        }
    }
    body.push_str("<h2>Types</h2>");
    if let Some(schemas) = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, definition) in schemas {
            body.push_str(&schema(name, definition));
        }
    }
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Stoa integration API</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>"
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ),
        ],
        html,
    )
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;color:#1c1f1e;background:#fbfaf7;margin:0}main{max-width:60rem;margin:0 auto;padding:1.5rem}h1{margin-top:0}section{background:#fff;border:1px solid #dcd8cf;border-radius:12px;padding:1rem 1.25rem;margin:1rem 0}.method{background:#1f4b3f;color:#f6f3ea;border-radius:6px;padding:.1rem .5rem;font-size:.85rem}table{border-collapse:collapse;width:100%;margin:.75rem 0;font-size:.95rem}caption{text-align:left;font-weight:600}th,td{text-align:left;border-top:1px solid #dcd8cf;padding:.35rem .5rem;vertical-align:top}code{font-size:.92em}a{color:#1f4b3f}@media(max-width:40rem){main{padding:1rem}table{display:block;overflow-x:auto}}";
