//! The company calendar (公司日历): business days, weeks, months and quarters cut in the
//! company's time zone (default Asia/Shanghai), through jiff and its bundled IANA zone data,
//! never a fixed offset, so a company in a zone with daylight saving gets days of 23 and 25
//! hours right. Instants are UTC epoch milliseconds, as the database keeps them.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

/// The zone a new company's calendar uses.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

#[derive(Debug, Clone)]
pub struct Calendar {
    name: String,
    tz: TimeZone,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::new(DEFAULT_TIME_ZONE).unwrap_or_else(|_| Calendar {
            name: "UTC".into(),
            tz: TimeZone::UTC,
        })
    }
}

impl Calendar {
    /// A calendar in an IANA zone (`Asia/Shanghai`, `Europe/Berlin`).
    pub fn new(zone: &str) -> Result<Calendar, &'static str> {
        let tz = TimeZone::get(zone.trim()).map_err(|_| "calendar.time_zone_unknown")?;
        Ok(Calendar {
            name: zone.trim().to_owned(),
            tz,
        })
    }

    pub fn zone_name(&self) -> &str {
        &self.name
    }

    fn zoned(&self, ms: i64) -> Zoned {
        let ts = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
        ts.to_zoned(self.tz.clone())
    }

    /// The instant a local date starts (its first moment: midnight, or later on a day whose
    /// midnight a clock change skips).
    fn start_of_date(&self, d: Date) -> i64 {
        d.to_zoned(self.tz.clone())
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(0)
    }

    /// The local date of an instant.
    pub fn date(&self, ms: i64) -> Date {
        self.zoned(ms).date()
    }

    /// The start of the business day holding `ms`.
    pub fn start_of_day(&self, ms: i64) -> i64 {
        self.start_of_date(self.date(ms))
    }

    /// The start of the next business day (23, 24 or 25 hours on).
    pub fn start_of_next_day(&self, ms: i64) -> i64 {
        match self.date(ms).tomorrow() {
            Ok(d) => self.start_of_date(d),
            Err(_) => self.start_of_day(ms) + 86_400_000,
        }
    }

    /// The start of the week (Monday) holding `ms`.
    pub fn start_of_week(&self, ms: i64) -> i64 {
        let d = self.date(ms);
        let back = i64::from(d.weekday().to_monday_zero_offset());
        self.start_of_date(d.checked_sub(jiff::Span::new().days(back)).unwrap_or(d))
    }

    /// The start of the month holding `ms`.
    pub fn start_of_month(&self, ms: i64) -> i64 {
        self.start_of_date(self.date(ms).first_of_month())
    }

    /// The start of the quarter holding `ms` (January, April, July, October).
    pub fn start_of_quarter(&self, ms: i64) -> i64 {
        let d = self.date(ms);
        let month = (d.month() - 1) / 3 * 3 + 1;
        self.start_of_date(Date::new(d.year(), month, 1).unwrap_or(d))
    }

    /// The start of the year holding `ms`.
    pub fn start_of_year(&self, ms: i64) -> i64 {
        let d = self.date(ms);
        self.start_of_date(Date::new(d.year(), 1, 1).unwrap_or(d))
    }

    /// The instant of a local time of day (`minute` after midnight) on the day holding `ms`.
    pub fn at_minute(&self, ms: i64, minute: i64) -> i64 {
        let m = minute.clamp(0, 24 * 60 - 1);
        let t = Time::new((m / 60) as i8, (m % 60) as i8, 0, 0).unwrap_or(Time::midnight());
        self.date(ms)
            .to_datetime(t)
            .to_zoned(self.tz.clone())
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or_else(|_| self.start_of_day(ms) + m * 60_000)
    }

    /// `YYYY-MM-DD`: the local date (the key of a day's jobs).
    pub fn day_text(&self, ms: i64) -> String {
        self.date(ms).to_string()
    }

    /// `YYYY-MM-DD HH:MM` in local time, as people read a time (exports, messages).
    pub fn datetime_text(&self, ms: i64) -> String {
        self.zoned(ms).strftime("%Y-%m-%d %H:%M").to_string()
    }

    /// Whether `ms` falls on a Saturday or Sunday.
    pub fn is_weekend(&self, ms: i64) -> bool {
        matches!(self.date(ms).weekday(), Weekday::Saturday | Weekday::Sunday)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn china_days_start_at_midnight_beijing_time() {
        let c = Calendar::default();
        // 2026-12-05 01:30 in Beijing is 2026-12-04 17:30 UTC.
        let t = ms("2026-12-04T17:30:00Z");
        assert_eq!(c.day_text(t), "2026-12-05");
        assert_eq!(c.start_of_day(t), ms("2026-12-04T16:00:00Z"));
        assert_eq!(c.start_of_next_day(t), ms("2026-12-05T16:00:00Z"));
        assert_eq!(c.datetime_text(t), "2026-12-05 01:30");
        assert_eq!(c.at_minute(t, 9 * 60), ms("2026-12-05T01:00:00Z"));
    }

    #[test]
    fn weeks_months_quarters_and_years() {
        let c = Calendar::default();
        let t = ms("2026-08-13T04:00:00Z"); // Thursday 2026-08-13, 12:00 in Beijing
        assert_eq!(c.start_of_week(t), ms("2026-08-09T16:00:00Z")); // Monday 08-10
        assert_eq!(c.start_of_month(t), ms("2026-07-31T16:00:00Z"));
        assert_eq!(c.start_of_quarter(t), ms("2026-06-30T16:00:00Z"));
        assert_eq!(c.start_of_year(t), ms("2025-12-31T16:00:00Z"));
        assert!(!c.is_weekend(t));
    }

    #[test]
    fn a_company_outside_china_cuts_its_own_days_through_daylight_saving() {
        let c = Calendar::new("Europe/Berlin").unwrap();
        // 23:30 UTC on 2026-03-28 is already the 29th in Berlin (UTC+1 before the change).
        let t = ms("2026-03-28T23:30:00Z");
        assert_eq!(c.day_text(t), "2026-03-29");
        // The 29th is the day clocks go forward: it lasts 23 hours.
        assert_eq!(c.start_of_next_day(t) - c.start_of_day(t), 23 * 3_600_000);
        assert_eq!(c.start_of_day(t), ms("2026-03-28T23:00:00Z"));
        // In October it lasts 25.
        let o = ms("2026-10-25T12:00:00Z");
        assert_eq!(c.start_of_next_day(o) - c.start_of_day(o), 25 * 3_600_000);
        let ny = Calendar::new("America/New_York").unwrap();
        assert_eq!(ny.day_text(ms("2026-12-05T03:00:00Z")), "2026-12-04");
        assert_eq!(
            Calendar::new("Mars/Olympus").unwrap_err(),
            "calendar.time_zone_unknown"
        );
    }
}
