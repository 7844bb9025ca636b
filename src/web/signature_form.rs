//! The form carrying a signature: pasted into a text field (urlencoded form) or uploaded as a file
//! (multipart form; DER or base64/PEM). The CSRF token is checked either way.

use super::extract;
use super::i18n::Lang;
use super::meta::ClientMeta;
use super::page_error::PageError;
use crate::web::params::Params;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, header};

/// Name of the file input; the text field is `signature`.
pub const FILE_FIELD: &str = "signature_file";
/// A CMS signature with a few certificates is a few kilobytes; anything near this is not one.
const MAX_BYTES: u64 = 128 * 1024;

pub struct SignatureForm {
    pub params: Params,
    pub lang: Lang,
    /// The uploaded file when one was chosen, else the pasted text.
    pub signature: Vec<u8>,
}

/// As an extractor: the form read and CSRF-checked, or the error page (400 unreadable, 403 token).
impl<S: Send + Sync> FromRequest<S> for SignatureForm {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let meta = ClientMeta::from_request_parts(&mut parts, state)
            .await
            .unwrap_or_else(|e| match e {});
        let headers = parts.headers.clone();
        // Through `Bytes` so the route's body limit applies, as for every page form.
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| extract::bad_request(&meta))?;
        read(&meta, &headers, body).await
    }
}

pub async fn read(
    meta: &ClientMeta,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<SignatureForm, PageError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        let (params, lang) = extract::checked(meta, headers, &body)?;
        let signature = params.get("signature").unwrap_or("").as_bytes().to_vec();
        return Ok(SignatureForm {
            params,
            lang,
            signature,
        });
    }
    let bad = || extract::bad_request(meta);
    let boundary = multer::parse_boundary(ct).map_err(|_| bad())?;
    let stream = futures::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let limits = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .whole_stream(2 * MAX_BYTES)
            .per_field(MAX_BYTES),
    );
    let mut form = multer::Multipart::with_constraints(stream, boundary, limits);
    let mut pairs = Vec::new();
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or("").to_string();
        let data = field.bytes().await.map_err(|_| bad())?;
        if name == FILE_FIELD {
            if !data.is_empty() {
                file = Some(data.to_vec());
            }
        } else {
            let text = String::from_utf8(data.to_vec()).map_err(|_| bad())?;
            pairs.push((name, text));
        }
    }
    let params = Params::from_pairs(pairs);
    let lang = meta.lang(params.get("lang"));
    extract::check_csrf(headers, &params, lang)?;
    let signature = match file {
        Some(f) => f,
        None => params.get("signature").unwrap_or("").as_bytes().to_vec(),
    };
    Ok(SignatureForm {
        params,
        lang,
        signature,
    })
}
