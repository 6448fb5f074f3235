//! Packaging an edge function's code folder as a zip archive that is the same
//! bytes for the same folder, whatever the machine, the file times or the
//! order the file system lists entries in: entries sorted by path, no
//! compression, a fixed time stamp, fixed permissions. Its SHA-256 (base64) is
//! then exactly what Lambda reports as the function's `CodeSha256`, so a plan
//! can tell whether the deployed code is the folder's.

use std::io;
use std::path::Path;

use crate::topology::code;
use crate::topology::model::EdgeEvent;

/// 1980-01-01 00:00, the zip format's epoch, as DOS time and date.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = (1 << 5) | 1;

pub struct Package {
    pub bytes: Vec<u8>,
    /// base64 of the SHA-256 of `bytes`, as Lambda's `CodeSha256`.
    pub sha256: String,
}

/// The most files an archive may hold: the zip format's 16-bit count.
const MAX_FILES: usize = u16::MAX as usize;

pub fn package(folder: &Path) -> io::Result<Package> {
    let files = code::files(folder).map_err(|e| {
        io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", folder.display()))
    })?;
    // The topology checks each event's limit; this stops a folder that grew since.
    let max = EdgeEvent::OriginRequest.max_package_bytes();
    let size = code::archive_bytes(&files);
    if files.len() > MAX_FILES || size > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: {} files, {size} bytes zipped: over what Lambda@Edge takes ({max} bytes)",
                folder.display(),
                files.len()
            ),
        ));
    }
    let mut zip = Zip::default();
    for file in files {
        zip.add(&file.name, &std::fs::read(&file.path)?);
    }
    let bytes = zip.finish();
    let sha256 = crate::state::digest::sha256_base64(&bytes);
    Ok(Package { bytes, sha256 })
}

/// A minimal writer of stored (uncompressed) zip archives.
#[derive(Default)]
struct Zip {
    out: Vec<u8>,
    central: Vec<u8>,
    count: u16,
}

impl Zip {
    fn add(&mut self, name: &str, data: &[u8]) {
        let offset = self.out.len() as u32;
        let crc = crc32fast::hash(data);
        let size = data.len() as u32;
        let name_len = name.len() as u16;
        // Local file header.
        self.out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for field in [20u16, 0, 0, DOS_TIME, DOS_DATE] {
            self.out.extend_from_slice(&field.to_le_bytes());
        }
        for field in [crc, size, size] {
            self.out.extend_from_slice(&field.to_le_bytes());
        }
        self.out.extend_from_slice(&name_len.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes());
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(data);
        // Central directory entry: made by Unix (3) so the mode below counts.
        self.central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        for field in [(3u16 << 8) | 20, 20, 0, 0, DOS_TIME, DOS_DATE] {
            self.central.extend_from_slice(&field.to_le_bytes());
        }
        for field in [crc, size, size] {
            self.central.extend_from_slice(&field.to_le_bytes());
        }
        for field in [name_len, 0, 0, 0, 0] {
            self.central.extend_from_slice(&field.to_le_bytes());
        }
        // External attributes: a regular file, rw-r--r--.
        self.central.extend_from_slice(&((0o100_644u32) << 16).to_le_bytes());
        self.central.extend_from_slice(&offset.to_le_bytes());
        self.central.extend_from_slice(name.as_bytes());
        self.count += 1;
    }

    fn finish(mut self) -> Vec<u8> {
        let start = self.out.len() as u32;
        let size = self.central.len() as u32;
        self.out.append(&mut self.central);
        self.out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        for field in [0u16, 0, self.count, self.count] {
            self.out.extend_from_slice(&field.to_le_bytes());
        }
        self.out.extend_from_slice(&size.to_le_bytes());
        self.out.extend_from_slice(&start.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes());
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_folder_gives_the_same_bytes_whatever_the_file_times() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("lib")).unwrap();
        std::fs::write(dir.path().join("index.js"), "exports.handler = 1;\n").unwrap();
        std::fs::write(dir.path().join("lib/a.js"), "a").unwrap();
        std::fs::write(dir.path().join("index.test.js"), "not shipped").unwrap();
        let first = package(dir.path()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.path().join("lib/a.js"), "a").unwrap();
        let second = package(dir.path()).unwrap();
        assert_eq!(first.bytes, second.bytes);
        assert_eq!(first.sha256, second.sha256);
        std::fs::write(dir.path().join("lib/a.js"), "b").unwrap();
        assert_ne!(package(dir.path()).unwrap().sha256, first.sha256);
    }

    #[test]
    fn the_archive_lists_its_files_sorted_without_tests() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("z.js"), "z").unwrap();
        std::fs::write(dir.path().join("a.json"), "{}").unwrap();
        std::fs::write(dir.path().join("a.test.js"), "t").unwrap();
        let bytes = package(dir.path()).unwrap().bytes;
        let text = String::from_utf8_lossy(&bytes);
        let (a, z) = (text.find("a.json").unwrap(), text.find("z.js").unwrap());
        assert!(a < z);
        assert!(!text.contains("a.test.js"));
        assert_eq!(&bytes[bytes.len() - 22..bytes.len() - 18], &0x0605_4b50u32.to_le_bytes());
        let files = code::files(dir.path()).unwrap();
        assert_eq!(code::archive_bytes(&files), bytes.len() as u64, "the size validation sees");
    }
}
