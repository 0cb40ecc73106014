//! The one error type of the HTTP layer: every failure becomes a status code and a JSON body
//! `{"error": "<code>", "message": "<what is wrong>"}` that names the field or limit involved.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed: a missing or invalid field, an unreadable document.
    #[error("{0}")]
    BadRequest(String),
    /// No credentials, or credentials that are not valid.
    #[error("authentication required: {0}")]
    Unauthenticated(String),
    /// Valid credentials without the role or product access the request needs.
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    /// The body is larger than the configured limit.
    #[error("the upload is {size} bytes; the limit is {limit} bytes (--max-upload)")]
    TooLarge { size: u64, limit: u64 },
    /// The body's media type is not one the route reads.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// Too many failed logins; retry after this many seconds.
    #[error("too many failed attempts; try again in {0} s")]
    RateLimited(u64),
    /// A fault of ours or of the store; the message is logged, the client gets a generic one.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad-request",
            ApiError::Unauthenticated(_) => "unauthenticated",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not-found",
            ApiError::Conflict(_) => "conflict",
            ApiError::TooLarge { .. } => "too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::RateLimited(_) => "rate-limited",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            // Internal details stay in the server's log.
            ApiError::Internal(detail) => {
                eprintln!("cpsf serve: internal error: {detail}");
                "internal error; see the server log".to_owned()
            }
            other => other.to_string(),
        };
        let body = Json(serde_json::json!({ "error": self.code(), "message": message }));
        let mut response = (status, body).into_response();
        if let ApiError::RateLimited(seconds) = self
            && let Ok(value) = axum::http::HeaderValue::from_str(&seconds.max(1).to_string())
        {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes() {
        let e = ApiError::TooLarge { size: 11, limit: 10 };
        assert_eq!(e.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(e.code(), "too-large");
        assert!(e.to_string().contains("limit is 10 bytes"));
        let r = ApiError::RateLimited(30).into_response();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("30"));
        assert_eq!(ApiError::Internal("db down".into()).into_response().status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
