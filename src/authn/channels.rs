//! The channel a person chose for sign-in codes and approvals («Куда присылать коды и запросы на
//! вход» in the security settings): SMS to the confirmed phone (the default), push (a messenger
//! or the deployment's app, when `push.mode` is on: notify/push.rs), or e-mail to a confirmed
//! address. Messages that must reach a particular phone or address (confirming that very contact)
//! do not come here.

use crate::crypto;
use crate::ctx::Ctx;
use crate::identity::Contact;
use crate::notify::push::{Push, PushMessage};
use crate::store::StoreError;
use crate::types::AccountId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Sms,
    Push,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Push => "push",
            Channel::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "sms" => Some(Channel::Sms),
            "push" => Some(Channel::Push),
            "email" => Some(Channel::Email),
            _ => None,
        }
    }
}

/// What a message is, for the gateway (`kind` in the push payload).
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Code,
    Approval,
    Notice,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Code => "code",
            Kind::Approval => "approval",
            Kind::Notice => "notice",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error("this channel cannot be chosen here (push off, or no confirmed e-mail)")]
    Unavailable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn push(ctx: &Ctx) -> Push {
    Push::from_config(&ctx.config.push).unwrap_or(Push::Off)
}

async fn confirmed(
    ctx: &Ctx,
    account: &AccountId,
    kind: &str,
) -> Result<Option<Contact>, StoreError> {
    Ok(ctx
        .store
        .identifiers(account.as_str())
        .await?
        .into_iter()
        .filter(|i| i.verified_at.is_some() && i.kind == kind)
        .find_map(|i| Contact::parse(&i.value).ok()))
}

/// The channels this person may choose now, in the order the page lists them.
pub async fn choices(ctx: &Ctx, account: &AccountId) -> Result<Vec<Channel>, StoreError> {
    let mut out = vec![Channel::Sms];
    if push(ctx).is_available() {
        out.push(Channel::Push);
    }
    if confirmed(ctx, account, "email").await?.is_some() {
        out.push(Channel::Email);
    }
    Ok(out)
}

/// The person's choice (SMS when none, or when the chosen one is no longer offered).
pub async fn chosen(ctx: &Ctx, account: &AccountId) -> Result<Channel, StoreError> {
    let stored = ctx
        .store
        .notify_channel(account.as_str())
        .await?
        .and_then(|c| Channel::parse(&c))
        .unwrap_or(Channel::Sms);
    Ok(if choices(ctx, account).await?.contains(&stored) {
        stored
    } else {
        Channel::Sms
    })
}

pub async fn choose(ctx: &Ctx, account: &AccountId, channel: Channel) -> Result<(), ChannelError> {
    if !choices(ctx, account).await?.contains(&channel) {
        return Err(ChannelError::Unavailable);
    }
    ctx.store
        .set_notify_channel(account.as_str(), channel.as_str())
        .await?;
    super::security_events::record(
        ctx,
        account.as_str(),
        super::security_events::Kind::ChannelChanged,
        match channel {
            Channel::Sms => "SMS",
            Channel::Push => "push",
            Channel::Email => "e-mail",
        },
    )
    .await?;
    Ok(())
}

/// Sends a code or approval request to `account` through its chosen channel; `phone` is where an
/// SMS goes (the caller's confirmed phone). Returns the channel used.
pub async fn send(
    ctx: &Ctx,
    account: &AccountId,
    phone: &Contact,
    kind: Kind,
    subject: &str,
    body: &str,
) -> Result<Channel, StoreError> {
    match chosen(ctx, account).await? {
        Channel::Push => {
            let message = PushMessage {
                id: crypto::random_token(),
                account: account.to_string(),
                kind: kind.as_str().into(),
                subject: subject.into(),
                text: body.into(),
                sent_at: ctx.clock.now(),
            };
            push(ctx).send(&ctx.store, &message).await?;
            Ok(Channel::Push)
        }
        Channel::Email => {
            let to = confirmed(ctx, account, "email")
                .await?
                .unwrap_or(phone.clone());
            ctx.notifier.send(&to, subject, body).await?;
            Ok(Channel::Email)
        }
        Channel::Sms => {
            ctx.notifier.send(phone, subject, body).await?;
            Ok(Channel::Sms)
        }
    }
}
