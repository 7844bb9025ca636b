//! One date-time format for every page: «2 декабря 2026, 16:38 МСК» / "2 December 2026, 16:38 MSK".
//! Times are shown in the person's time zone (an account setting, `accounts.time_zone`), Moscow
//! time by default — the zone the state services show; the zone's name is part of the text, as the
//! state services write it: «МСК», «МСК+4», «МСК−1».
//!
//! Russia's zones have fixed offsets (no daylight saving since 26 October 2014, Federal Law
//! No. 248-FZ), so a zone here is its IANA name with its offset; no time zone database is needed.

use super::{Lang, Tr};

/// UTC+3, no daylight saving since 2014.
const MSK_OFFSET: i64 = 3 * 3600;

/// A time zone of Russia, named by its IANA identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Zone {
    /// Hours from Moscow time (−1 … +9).
    from_moscow: i8,
}

/// The zones a person may choose: (IANA name, hours from Moscow).
const ZONES: [(&str, i8); 11] = [
    ("Europe/Kaliningrad", -1),
    ("Europe/Moscow", 0),
    ("Europe/Samara", 1),
    ("Asia/Yekaterinburg", 2),
    ("Asia/Omsk", 3),
    ("Asia/Krasnoyarsk", 4),
    ("Asia/Irkutsk", 5),
    ("Asia/Yakutsk", 6),
    ("Asia/Vladivostok", 7),
    ("Asia/Magadan", 8),
    ("Asia/Kamchatka", 9),
];

impl Zone {
    pub const MOSCOW: Zone = Zone { from_moscow: 0 };

    /// Every zone a person may choose, west to east.
    pub fn all() -> impl Iterator<Item = Zone> {
        ZONES.iter().map(|(_, h)| Zone { from_moscow: *h })
    }

    /// The zone of an IANA name vhod offers; None for any other.
    pub fn parse(iana: &str) -> Option<Zone> {
        ZONES
            .iter()
            .find(|(name, _)| *name == iana)
            .map(|(_, h)| Zone { from_moscow: *h })
    }

    pub fn iana(self) -> &'static str {
        ZONES
            .iter()
            .find(|(_, h)| *h == self.from_moscow)
            .map_or("Europe/Moscow", |(name, _)| name)
    }

    fn offset_secs(self) -> i64 {
        MSK_OFFSET + i64::from(self.from_moscow) * 3600
    }

    /// «МСК», «МСК+4», «МСК−1» (English: MSK…), as the state services write a zone.
    pub fn label(self, lang: Lang) -> String {
        let msk = match lang {
            Lang::Ru => "МСК",
            Lang::En => "MSK",
        };
        match self.from_moscow {
            0 => msk.to_string(),
            h if h > 0 => format!("{msk}+{h}"),
            h => format!("{msk}−{}", -h),
        }
    }

    /// The label with the UTC offset, for the choice: «МСК+4 (UTC+7)».
    pub fn describe(self, lang: Lang) -> String {
        format!("{} (UTC+{})", self.label(lang), 3 + self.from_moscow)
    }
}

const RU_MONTHS: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Tr {
    /// Unix seconds as the pages show a moment: «2 декабря 2026, 16:38 МСК».
    pub fn datetime(&self, unix: i64) -> String {
        let (year, month, day, hour, minute, _) =
            crate::clock::utc_parts(unix + self.zone.offset_secs());
        let index = usize::try_from(month - 1).unwrap_or(0).min(11);
        let name = match self.lang {
            Lang::Ru => RU_MONTHS[index],
            Lang::En => EN_MONTHS[index],
        };
        let zone = self.zone.label(self.lang);
        format!("{day} {name} {year}, {hour:02}:{minute:02} {zone}")
    }

    /// Only the date: «2 декабря 2026».
    pub fn date(&self, unix: i64) -> String {
        let (year, month, day, ..) = crate::clock::utc_parts(unix + self.zone.offset_secs());
        let index = usize::try_from(month - 1).unwrap_or(0).min(11);
        let name = match self.lang {
            Lang::Ru => RU_MONTHS[index],
            Lang::En => EN_MONTHS[index],
        };
        format!("{day} {name} {year}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_reads_the_same_way_on_every_page_in_moscow_time() {
        // 2026-12-02 13:38 UTC
        let t = 1_796_218_680;
        assert_eq!(Tr::new(Lang::Ru).datetime(t), "2 декабря 2026, 16:38 МСК");
        assert_eq!(Tr::new(Lang::En).datetime(t), "2 December 2026, 16:38 MSK");
        assert_eq!(Tr::new(Lang::Ru).date(t), "2 декабря 2026");
        // Midnight in Moscow is still the previous day in UTC.
        assert_eq!(
            Tr::new(Lang::Ru).datetime(1_709_164_800 - MSK_OFFSET),
            "29 февраля 2024, 00:00 МСК"
        );
        assert_eq!(Tr::new(Lang::En).datetime(0), "1 January 1970, 03:00 MSK");
    }

    #[test]
    fn a_moment_reads_in_the_persons_zone_named_from_moscow() {
        let t = 1_796_218_680; // 2026-12-02 13:38 UTC
        let at = |iana: &str, lang| {
            Tr::new(lang)
                .in_zone(Zone::parse(iana).unwrap())
                .datetime(t)
        };
        assert_eq!(at("Europe/Moscow", Lang::Ru), "2 декабря 2026, 16:38 МСК");
        assert_eq!(
            at("Asia/Krasnoyarsk", Lang::Ru),
            "2 декабря 2026, 20:38 МСК+4"
        );
        assert_eq!(
            at("Europe/Kaliningrad", Lang::En),
            "2 December 2026, 15:38 MSK−1"
        );
        // Past midnight in Kamchatka: already the next day there.
        assert_eq!(
            at("Asia/Kamchatka", Lang::Ru),
            "3 декабря 2026, 01:38 МСК+9"
        );
        assert_eq!(Zone::default(), Zone::MOSCOW);
        assert_eq!(
            Zone::parse("Asia/Krasnoyarsk").unwrap().describe(Lang::Ru),
            "МСК+4 (UTC+7)"
        );
        assert!(Zone::parse("Mars/Olympus").is_none());
        assert!(Zone::all().all(|z| Zone::parse(z.iana()) == Some(z)));
    }
}
