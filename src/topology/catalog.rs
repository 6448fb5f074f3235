//! Built-in lists the validator checks names against: AWS commercial regions,
//! ISO 3166-1 alpha-2 country codes and Route 53's continent codes.

/// The AWS regions of the commercial partition (`aws`).
pub const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// Where each region's data centres are, roughly (its country, the
/// latitude and longitude of its city): which region is nearest to
/// another's users, as latency routing sends them when theirs fails.
const REGION_PLACES: [(&str, &str, f64, f64); 34] = [
    ("af-south-1", "ZA", -33.9, 18.4),
    ("ap-east-1", "HK", 22.3, 114.2),
    ("ap-east-2", "TW", 25.0, 121.5),
    ("ap-northeast-1", "JP", 35.7, 139.7),
    ("ap-northeast-2", "KR", 37.6, 127.0),
    ("ap-northeast-3", "JP", 34.7, 135.5),
    ("ap-south-1", "IN", 19.1, 72.9),
    ("ap-south-2", "IN", 17.4, 78.5),
    ("ap-southeast-1", "SG", 1.35, 103.8),
    ("ap-southeast-2", "AU", -33.9, 151.2),
    ("ap-southeast-3", "ID", -6.2, 106.8),
    ("ap-southeast-4", "AU", -37.8, 145.0),
    ("ap-southeast-5", "MY", 3.1, 101.7),
    ("ap-southeast-6", "NZ", -36.8, 174.8),
    ("ap-southeast-7", "TH", 13.8, 100.5),
    ("ca-central-1", "CA", 45.5, -73.6),
    ("ca-west-1", "CA", 51.0, -114.1),
    ("eu-central-1", "DE", 50.1, 8.7),
    ("eu-central-2", "CH", 47.4, 8.5),
    ("eu-north-1", "SE", 59.3, 18.1),
    ("eu-south-1", "IT", 45.5, 9.2),
    ("eu-south-2", "ES", 41.6, -0.9),
    ("eu-west-1", "IE", 53.3, -6.3),
    ("eu-west-2", "GB", 51.5, -0.1),
    ("eu-west-3", "FR", 48.9, 2.4),
    ("il-central-1", "IL", 32.1, 34.8),
    ("me-central-1", "AE", 25.2, 55.3),
    ("me-south-1", "BH", 26.1, 50.6),
    ("mx-central-1", "MX", 20.6, -100.4),
    ("sa-east-1", "BR", -23.5, -46.6),
    ("us-east-1", "US", 38.9, -77.4),
    ("us-east-2", "US", 40.0, -83.0),
    ("us-west-1", "US", 37.4, -121.9),
    ("us-west-2", "US", 45.6, -122.7),
];

/// Where region `r` is (latitude, longitude).
pub fn region_place(r: &str) -> Option<(f64, f64)> {
    REGION_PLACES.iter().find(|(n, ..)| *n == r).map(|(_, _, la, lo)| (*la, *lo))
}

/// The country region `r` is in.
pub fn region_country(r: &str) -> Option<&'static str> {
    REGION_PLACES.iter().find(|(n, ..)| *n == r).map(|(_, c, ..)| *c)
}

/// The great-circle distance between two regions, in km.
pub fn distance_km(a: &str, b: &str) -> Option<f64> {
    Some(km_between(region_place(a)?, region_place(b)?))
}

/// Of `regions`, the nearest to `place` (latitude, longitude): where
/// latency routing sends users there. A region the catalog cannot place
/// comes last.
pub fn nearest_region<'a>(
    place: (f64, f64),
    regions: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let distance = |r: &str| region_place(r).map_or(f64::MAX, |p| km_between(place, p));
    regions.into_iter().min_by(|a, b| distance(a).total_cmp(&distance(b)))
}

/// The great-circle distance between two places (latitude, longitude), in km.
pub fn km_between((la1, lo1): (f64, f64), (la2, lo2): (f64, f64)) -> f64 {
    let (p1, p2) = (la1.to_radians(), la2.to_radians());
    let (dp, dl) = ((la2 - la1).to_radians(), (lo2 - lo1).to_radians());
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// Users to ask Route 53's answer for, by country: an address of a national
/// carrier's block (sent as the EDNS client subnet, as a resolver there
/// would) and where the block's users are (latitude, longitude of its
/// capital). A country not here can be given one (`wway drill --client`).
pub const CLIENTS: &[(&str, &str, f64, f64)] = &[
    ("AU", "1.120.0.0", -33.9, 151.2),
    ("BE", "84.192.0.0", 50.8, 4.4),
    ("BR", "200.147.0.0", -23.5, -46.6),
    ("CA", "99.224.0.0", 43.7, -79.4),
    ("DE", "84.128.0.0", 52.5, 13.4),
    ("ES", "88.0.0.0", 40.4, -3.7),
    ("FR", "90.0.0.0", 48.9, 2.4),
    ("GB", "86.128.0.0", 51.5, -0.1),
    ("IE", "86.40.0.0", 53.3, -6.3),
    ("IN", "117.192.0.0", 28.6, 77.2),
    ("IT", "79.0.0.0", 41.9, 12.5),
    ("JP", "126.0.0.0", 35.7, 139.7),
    ("KR", "121.128.0.0", 37.6, 127.0),
    ("MX", "189.128.0.0", 19.4, -99.1),
    ("NL", "84.24.0.0", 52.4, 4.9),
    ("SE", "89.160.0.0", 59.3, 18.1),
    ("SG", "116.86.0.0", 1.35, 103.8),
    ("TH", "1.0.128.0", 13.8, 100.5),
    ("US", "12.0.0.0", 38.9, -77.0),
    ("VN", "14.160.0.0", 21.0, 105.8),
];

/// Route 53 geolocation continent codes.
pub const CONTINENTS: &[&str] = &["AF", "AN", "AS", "EU", "NA", "OC", "SA"];

/// ISO 3166-1 alpha-2 country codes (Route 53 and CloudFront geo restrictions use these).
pub const COUNTRIES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// The countries of each Route 53 continent (GeoNames' continents, as
/// Route 53's geolocation uses them): where a country's users go when its
/// own record cannot answer and the map has one for its continent.
const CONTINENT_COUNTRIES: [(&str, &str); 7] = [
    (
        "AF",
        "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA \
         MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW",
    ),
    ("AN", "AQ BV GS HM TF"),
    (
        "AS",
        "AE AF AM AZ BD BH BN BT CC CN CX GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA LB \
         LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TR TW UZ VN YE",
    ),
    (
        "EU",
        "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE \
         LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA",
    ),
    (
        "NA",
        "AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX \
         NI PA PM PR SV SX TC TT US VC VG VI",
    ),
    ("OC", "AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS"),
    ("SA", "AR BO BR CL CO EC FK GF GY PE PY SR UY VE"),
];

/// The continent code of country `code`.
pub fn continent_of(code: &str) -> Option<&'static str> {
    let mut continents = CONTINENT_COUNTRIES.iter();
    continents
        .find(|(_, countries)| countries.split_whitespace().any(|c| c == code))
        .map(|(c, _)| *c)
}

/// Common slips that are not ISO codes, with the code that was meant.
pub const COUNTRY_SLIPS: &[(&str, &str)] =
    &[("UK", "GB"), ("EN", "GB"), ("JA", "JP"), ("KO", "KR")];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_and_unique() {
        for list in [REGIONS, CONTINENTS, COUNTRIES] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
        assert_eq!(COUNTRIES.len(), 249);
    }

    #[test]
    fn every_region_has_a_place() {
        let placed: Vec<&str> = REGION_PLACES.iter().map(|(r, ..)| *r).collect();
        assert_eq!(placed, REGIONS);
        let dublin_london = distance_km("eu-west-1", "eu-west-2").unwrap();
        assert!((400.0..500.0).contains(&dublin_london), "{dublin_london}");
        for (region, country, ..) in REGION_PLACES {
            assert!(COUNTRIES.contains(&country), "{region}: {country}");
        }
    }

    #[test]
    fn every_client_is_a_country_with_an_address() {
        assert!(CLIENTS.windows(2).all(|w| w[0].0 < w[1].0), "sorted, one per country");
        for (country, address, ..) in CLIENTS {
            assert!(continent_of(country).is_some(), "{country}");
            assert!(address.parse::<std::net::Ipv4Addr>().is_ok(), "{country}: {address}");
        }
        // Each region's country of WonderWay has users to ask from.
        for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
            let country = region_country(region).unwrap();
            assert!(CLIENTS.iter().any(|(c, ..)| *c == country), "{region}");
        }
    }

    #[test]
    fn every_country_is_on_one_continent() {
        for country in COUNTRIES {
            let on: Vec<&str> = CONTINENT_COUNTRIES
                .iter()
                .filter(|(_, cs)| cs.split_whitespace().any(|c| c == *country))
                .map(|(c, _)| *c)
                .collect();
            assert_eq!(on.len(), 1, "{country}: {on:?}");
        }
        let listed: usize =
            CONTINENT_COUNTRIES.iter().map(|(_, cs)| cs.split_whitespace().count()).sum();
        assert_eq!(listed, COUNTRIES.len());
    }
}
