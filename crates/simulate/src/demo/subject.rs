//! One subject's records in every domain, from the subject's own random
//! stream (so subjects can be simulated in any order, on any thread).
//!
//! Rows hold compact values (indices, day numbers, numbers); the text of
//! the datasets is made once, column by column, in `tables`.

use super::config::{DemoConfig, Ineligibility, MarkerModel};
use super::plan::{Fate, Planned};
use super::terms::*;
use crate::rng::TrialRng;

/// A visit: a scheduled VISITNUM and, for unscheduled visits, the tenth
/// added to it (`5.1` is `{ num: 5, tenth: 1 }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct VisitRef {
    pub num: u16,
    pub tenth: u8,
}

impl VisitRef {
    fn scheduled(num: u32) -> Self {
        VisitRef {
            num: num as u16,
            tenth: 0,
        }
    }

    /// VISITNUM: `(10 * num + tenth) / 10` is the double nearest the
    /// decimal text, so it prints and reads back as `5.1`.
    pub fn visitnum(self) -> f64 {
        f64::from(u32::from(self.num) * 10 + u32::from(self.tenth)) / 10.0
    }
}

/// How a subject ended up (for DM's arm variables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ArmRef {
    Arm(u16),
    ScreenFailure,
    NotAssigned,
}

pub(super) struct DmRow {
    pub subj: u32,
    pub consent: i32,
    pub first_dose: Option<i32>,
    pub last_dose: Option<i32>,
    pub end: i32,
    pub age: u8,
    pub female: bool,
    pub arm: ArmRef,
    /// Whether a randomized subject was ever dosed (ACTARMCD `NOTTRT` if not).
    pub treated: bool,
}

pub(super) enum SuppValue {
    Int(i32),
    Text(&'static str),
}

pub(super) struct SuppRow {
    pub subj: u32,
    pub qualifier: u8,
    pub value: SuppValue,
}

pub(super) struct VsRow {
    pub subj: u32,
    pub seq: u32,
    /// 0 height, 1 weight.
    pub test: u8,
    /// Rounded to one decimal.
    pub value: f64,
    pub baseline: bool,
    pub visit: VisitRef,
    pub date: i32,
}

#[derive(Clone, Copy)]
pub(super) enum LabResult {
    /// A reported value, rounded as the lab reports it.
    Value(f64),
    /// Below the lower limit of quantification.
    BelowLloq,
    /// Not done; the index of the reason.
    NotDone(u8),
}

pub(super) struct LbRow {
    pub subj: u32,
    pub seq: u32,
    pub test: u8,
    pub result: LabResult,
    pub female: bool,
    pub baseline: bool,
    pub visit: VisitRef,
    pub date: i32,
    pub study_day: Option<i32>,
}

pub(super) struct SvRow {
    pub subj: u32,
    pub visit: VisitRef,
    pub date: i32,
}

pub(super) struct ExRow {
    pub subj: u32,
    pub seq: u32,
    pub arm: u16,
    pub visit: VisitRef,
    pub date: i32,
}

pub(super) struct AeRow {
    pub subj: u32,
    pub seq: u32,
    pub term: u8,
    pub verbatim: u8,
    /// 1 or 2 (MILD or MODERATE).
    pub grade: u8,
    pub relation: u8,
    pub start: i32,
    pub end: i32,
    pub study_day: i32,
}

#[derive(Clone, Copy)]
pub(super) enum DsEvent {
    Consent,
    Randomized,
    ScreenFailure(Ineligibility),
    Declined,
    Completed,
    Lost,
}

pub(super) struct DsRow {
    pub subj: u32,
    pub seq: u32,
    pub event: DsEvent,
    pub epoch: u8,
    pub date: i32,
}

/// Rows of all domains for a run of subjects.
#[derive(Default)]
pub(super) struct Rows {
    pub dm: Vec<DmRow>,
    pub suppdm: Vec<SuppRow>,
    pub vs: Vec<VsRow>,
    pub lb: Vec<LbRow>,
    pub sv: Vec<SvRow>,
    pub ex: Vec<ExRow>,
    pub ae: Vec<AeRow>,
    pub ds: Vec<DsRow>,
}

impl Rows {
    /// Moves `other`'s rows after this one's.
    pub fn append(&mut self, mut other: Rows) {
        self.dm.append(&mut other.dm);
        self.suppdm.append(&mut other.suppdm);
        self.vs.append(&mut other.vs);
        self.lb.append(&mut other.lb);
        self.sv.append(&mut other.sv);
        self.ex.append(&mut other.ex);
        self.ae.append(&mut other.ae);
        self.ds.append(&mut other.ds);
    }
}

fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = [1.0, 10.0, 100.0, 1000.0][decimals.clamp(0, 3) as usize];
    (x * scale).round() / scale
}

/// A draw from a discrete distribution given as (item, weight) pairs.
fn pick<T: Copy>(rng: &mut TrialRng, items: &[(T, f64)]) -> Option<T> {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut u = rng.unit() * total;
    for &(item, w) in items {
        if u < w {
            return Some(item);
        }
        u -= w;
    }
    items.last().map(|(item, _)| *item)
}

fn study_day(date: i32, first_dose: i32) -> i32 {
    if date >= first_dose {
        date - first_dose + 1
    } else {
        date - first_dose
    }
}

/// A subject's log-scale latent level and autocorrelated visit noise.
struct Marker<'a> {
    model: &'a MarkerModel,
    level: f64,
    noise: f64,
}

impl<'a> Marker<'a> {
    fn new(model: &'a MarkerModel, rng: &mut TrialRng) -> Self {
        Marker {
            model,
            level: libm::log(model.median) + model.between_sd * rng.portable_normal(),
            noise: model.within_sd * rng.portable_normal(),
        }
    }

    fn innovation(&self, rng: &mut TrialRng) -> f64 {
        let rho = self.model.autocorrelation;
        rho * self.noise
            + libm::sqrt(1.0 - rho * rho) * self.model.within_sd * rng.portable_normal()
    }

    /// Moves the noise to the next scheduled visit.
    fn step(&mut self, rng: &mut TrialRng) {
        self.noise = self.innovation(rng);
    }

    /// The value now, with `effect` added on the log scale.
    fn value(&self, effect: f64) -> f64 {
        libm::exp(self.level + effect + self.noise)
    }

    /// A value between scheduled visits: noise one step on from the current
    /// visit's, without moving the chain.
    fn side_value(&self, effect: f64, rng: &mut TrialRng) -> f64 {
        libm::exp(self.level + effect + self.innovation(rng))
    }

    /// Sets the current value to `x` by moving the noise.
    fn pin(&mut self, x: f64) {
        self.noise = libm::log(x) - self.level;
    }
}

/// Draws a CD4 model for the screening visit such that the screening count
/// shows `fate`'s eligibility (within 50-250 cells/uL exclusive unless the
/// subject fails on CD4).
fn screening_cd4<'a>(model: &'a MarkerModel, fate: Fate, rng: &mut TrialRng) -> Marker<'a> {
    let mut m = Marker::new(model, rng);
    match fate {
        Fate::ScreenFailure(Ineligibility::Cd4High) => {
            if m.value(0.0).round() < 250.0 {
                let x = 250.0 * libm::exp((0.15 * rng.portable_normal()).abs());
                m.pin(x.max(250.0));
            }
        }
        Fate::ScreenFailure(Ineligibility::Cd4Low) => {
            let x = 50.0 * libm::exp(-(0.5 * rng.portable_normal()).abs());
            m.pin(x.clamp(5.0, 50.0));
        }
        _ => {
            let mut tries = 0;
            loop {
                let x = m.value(0.0).round();
                if x > 50.0 && x < 250.0 {
                    break;
                }
                tries += 1;
                if tries >= 100 {
                    m.pin(x.clamp(51.0, 249.0));
                    break;
                }
                m = Marker::new(model, rng);
            }
        }
    }
    m
}

/// A lab value a lab would report: rounded to the test's decimals, never
/// below the smallest reportable value.
fn reported(x: f64, decimals: i32) -> f64 {
    let floor = if decimals == 0 { 1.0 } else { 0.001 };
    round_to(x, decimals).max(floor)
}

/// HIV-1 RNA of a suppressed subject: below the limit of quantification
/// most of the time, otherwise a low-level value under 50.
fn suppressed_rna(rng: &mut TrialRng, below: f64) -> LabResult {
    if rng.bernoulli(below) {
        LabResult::BelowLloq
    } else {
        LabResult::Value(rng.between(HIV_LLOQ, 49) as f64)
    }
}

/// The per-subject simulator: shared inputs for every subject.
pub(super) struct SubjectSim<'a> {
    pub config: &'a DemoConfig,
    pub seed: u64,
    /// Index of the last dosing visit in `config.visits`.
    pub last_dosing: usize,
}

struct LbWriter<'r> {
    rows: &'r mut Vec<LbRow>,
    subj: u32,
    female: bool,
    first_dose: Option<i32>,
    seq: u32,
}

impl LbWriter<'_> {
    fn push(&mut self, test: u8, result: LabResult, visit: VisitRef, date: i32, baseline: bool) {
        self.seq += 1;
        self.rows.push(LbRow {
            subj: self.subj,
            seq: self.seq,
            test,
            result,
            female: self.female,
            baseline,
            visit,
            date,
            study_day: self.first_dose.map(|d| study_day(date, d)),
        });
    }
}

impl SubjectSim<'_> {
    fn epoch(&self, visit_index: usize) -> u8 {
        if visit_index == 0 {
            SCREENING
        } else if visit_index <= self.last_dosing {
            TREATMENT
        } else {
            FOLLOW_UP
        }
    }

    /// Simulates subject `index` (its USUBJID order) into `rows`.
    pub fn simulate(&self, index: usize, planned: &Planned, rows: &mut Rows) {
        let c = self.config;
        let mut rng = TrialRng::new(self.seed, index as u64 + 1);
        let subj = index as u32;
        let female = !rng.bernoulli(0.70);
        let age = (40.0 + 9.0 * rng.portable_normal())
            .round()
            .clamp(18.0, 65.0) as u8;
        self.supplemental(subj, planned.fate, &mut rng, &mut rows.suppdm);

        let consent = planned.consent;
        let mut ds_seq = 0;
        let mut ds = |rows: &mut Vec<DsRow>, event, epoch, date| {
            ds_seq += 1;
            rows.push(DsRow {
                subj,
                seq: ds_seq,
                event,
                epoch,
                date,
            });
        };
        ds(&mut rows.ds, DsEvent::Consent, SCREENING, consent);

        let screening = VisitRef::scheduled(1);
        rows.sv.push(SvRow {
            subj,
            visit: screening,
            date: consent,
        });
        let mut cd4 = screening_cd4(&c.cd4, planned.fate, &mut rng);
        let mut cd8 = Marker::new(&c.cd8, &mut rng);
        let alt_level = libm::log(if female { 20.0 } else { 24.0 }) + 0.3 * rng.portable_normal();
        let ast_level = libm::log(if female { 22.0 } else { 25.0 }) + 0.25 * rng.portable_normal();
        let first_dose = match planned.fate {
            Fate::Randomized(_) => Some(consent + rng.between(21, 35) as i32),
            _ => None,
        };
        let mut lb = LbWriter {
            rows: &mut rows.lb,
            subj,
            female,
            first_dose,
            seq: 0,
        };
        let rna = match planned.fate {
            Fate::ScreenFailure(Ineligibility::ViralLoad) => {
                let x = 50.0 * libm::exp((2.0 * rng.portable_normal()).abs());
                LabResult::Value(x.round().max(50.0))
            }
            _ => suppressed_rna(&mut rng, 0.8),
        };
        let chem = |level: f64, rng: &mut TrialRng| {
            LabResult::Value(reported(libm::exp(level + 0.2 * rng.portable_normal()), 0))
        };
        let (x4, x8) = (reported(cd4.value(0.0), 0), reported(cd8.value(0.0), 0));
        lb.push(CD4, LabResult::Value(x4), screening, consent, false);
        lb.push(CD8, LabResult::Value(x8), screening, consent, false);
        lb.push(
            RATIO,
            LabResult::Value(reported(x4 / x8, 3)),
            screening,
            consent,
            false,
        );
        lb.push(HIV_RNA, rna, screening, consent, false);
        let alt = chem(alt_level, &mut rng);
        lb.push(ALT, alt, screening, consent, false);
        let ast = chem(ast_level, &mut rng);
        lb.push(AST, ast, screening, consent, false);

        let arm = match planned.fate {
            Fate::ScreenFailure(reason) => {
                let date = consent + rng.between(3, 10) as i32;
                ds(
                    &mut rows.ds,
                    DsEvent::ScreenFailure(reason),
                    SCREENING,
                    date,
                );
                rows.dm.push(DmRow {
                    subj,
                    consent,
                    first_dose: None,
                    last_dose: None,
                    end: date,
                    age,
                    female,
                    arm: ArmRef::ScreenFailure,
                    treated: false,
                });
                return;
            }
            Fate::Declined => {
                let date = consent + rng.between(10, 28) as i32;
                ds(&mut rows.ds, DsEvent::Declined, SCREENING, date);
                rows.dm.push(DmRow {
                    subj,
                    consent,
                    first_dose: None,
                    last_dose: None,
                    end: date,
                    age,
                    female,
                    arm: ArmRef::NotAssigned,
                    treated: false,
                });
                return;
            }
            Fate::Randomized(arm) => arm,
        };
        let Some(w0) = first_dose else {
            return;
        };
        let arm_cfg = &c.arms[arm];
        ds(&mut rows.ds, DsEvent::Randomized, SCREENING, w0 - 1);

        // Visit dates and the last visit attended.
        let n_visits = c.visits.len();
        let last = if planned.lost {
            let from = (c.lost_from_visit as usize).saturating_sub(1).max(2);
            rng.between(from as i64, (n_visits - 2) as i64) as usize
        } else {
            n_visits - 1
        };
        let mut dates = Vec::with_capacity(n_visits);
        dates.push(consent);
        for (j, v) in c.visits.iter().enumerate().skip(1) {
            let jitter = if j == 1 { 0 } else { rng.between(-3, 3) as i32 };
            dates.push(w0 + v.day - 1 + jitter);
        }

        // Body size: height once, weight at baseline and every infusion.
        let (height, sd_height) = if female { (158.0, 5.0) } else { (169.0, 6.0) };
        let height = round_to(height + sd_height * rng.portable_normal(), 1);
        let bmi = (22.0 + 2.2 * rng.portable_normal()).clamp(16.5, 32.0);
        let mut weight = bmi * (height / 100.0) * (height / 100.0);
        let mut vs_seq = 0;
        let mut ex_seq = 0;
        let mut infusions = Vec::new();
        let response = 1.0 + arm_cfg.cd4_response_sd * rng.portable_normal();

        for (j, (v, &date)) in c
            .visits
            .iter()
            .zip(&dates)
            .enumerate()
            .take(last + 1)
            .skip(1)
        {
            let visit = VisitRef::scheduled(v.visitnum);
            let baseline = j == 1;
            rows.sv.push(SvRow { subj, visit, date });
            if baseline {
                vs_seq += 1;
                rows.vs.push(VsRow {
                    subj,
                    seq: vs_seq,
                    test: 0,
                    value: height,
                    baseline: true,
                    visit,
                    date,
                });
            }
            if baseline || v.dosing {
                if !baseline {
                    weight += 0.8 * rng.portable_normal();
                }
                weight = weight.max(35.0);
                vs_seq += 1;
                rows.vs.push(VsRow {
                    subj,
                    seq: vs_seq,
                    test: 1,
                    value: round_to(weight, 1),
                    baseline,
                    visit,
                    date,
                });
            }
            if v.dosing {
                ex_seq += 1;
                rows.ex.push(ExRow {
                    subj,
                    seq: ex_seq,
                    arm: arm as u16,
                    visit,
                    date,
                });
                infusions.push(date);
            }

            // Labs (drawn before the infusion at dosing visits).
            let effect = response * libm::log(arm_cfg.cd4_ratio[j - 1]);
            cd4.step(&mut rng);
            cd8.step(&mut rng);
            let panel_missing = !baseline && rng.bernoulli(c.panel_not_done);
            if panel_missing {
                let why = rng.below(NOT_DONE_REASONS.len()) as u8;
                for t in [CD4, CD8, RATIO] {
                    lb.push(t, LabResult::NotDone(why), visit, date, false);
                }
            } else {
                let x4 = reported(cd4.value(effect), 0);
                let x8 = reported(cd8.value(0.0), 0);
                lb.push(CD4, LabResult::Value(x4), visit, date, baseline);
                lb.push(CD8, LabResult::Value(x8), visit, date, baseline);
                let ratio = reported(x4 / x8, 3);
                lb.push(RATIO, LabResult::Value(ratio), visit, date, baseline);
            }
            if v.virology {
                let r = suppressed_rna(&mut rng, 0.85);
                lb.push(HIV_RNA, r, visit, date, baseline);
            }
            let mut elevated = false;
            if v.chemistry {
                if !baseline && rng.bernoulli(c.panel_not_done) {
                    let why = rng.below(NOT_DONE_REASONS.len()) as u8;
                    lb.push(ALT, LabResult::NotDone(why), visit, date, false);
                    lb.push(AST, LabResult::NotDone(why), visit, date, false);
                } else {
                    for (test, level) in [(ALT, alt_level), (AST, ast_level)] {
                        let r = chem(level, &mut rng);
                        if let (LabResult::Value(x), Some((_, hi))) =
                            (r, reference_range(test, female))
                        {
                            elevated |= !baseline && x > hi;
                        }
                        lb.push(test, r, visit, date, baseline);
                    }
                }
            }

            // Unscheduled visits before the next scheduled one: a repeat of
            // a missed lymphocyte panel, a recheck of raised liver enzymes,
            // or an extra panel.
            if j == last || baseline {
                continue;
            }
            let repeat = (panel_missing && rng.bernoulli(0.5)) || rng.bernoulli(c.unscheduled);
            let mut offset = 0;
            let mut next_tenth = 0u8;
            if repeat {
                offset += rng.between(5, 9) as i32;
                next_tenth += 1;
                let visit = VisitRef {
                    num: visit.num,
                    tenth: next_tenth,
                };
                let day = date + offset;
                rows.sv.push(SvRow {
                    subj,
                    visit,
                    date: day,
                });
                let x4 = reported(cd4.side_value(effect, &mut rng), 0);
                let x8 = reported(cd8.side_value(0.0, &mut rng), 0);
                lb.push(CD4, LabResult::Value(x4), visit, day, false);
                lb.push(CD8, LabResult::Value(x8), visit, day, false);
                lb.push(
                    RATIO,
                    LabResult::Value(reported(x4 / x8, 3)),
                    visit,
                    day,
                    false,
                );
            }
            if elevated {
                offset += rng.between(5, 9) as i32;
                next_tenth += 1;
                let visit = VisitRef {
                    num: visit.num,
                    tenth: next_tenth,
                };
                let day = date + offset;
                rows.sv.push(SvRow {
                    subj,
                    visit,
                    date: day,
                });
                let alt = chem(alt_level, &mut rng);
                lb.push(ALT, alt, visit, day, false);
                let ast = chem(ast_level, &mut rng);
                lb.push(AST, ast, visit, day, false);
            }
        }
        let last_date = dates[last];
        let completed = last == n_visits - 1;
        let (event, epoch) = if completed {
            (DsEvent::Completed, self.epoch(last))
        } else {
            (DsEvent::Lost, self.epoch(last))
        };
        ds(&mut rows.ds, event, epoch, last_date);
        rows.dm.push(DmRow {
            subj,
            consent,
            first_dose: infusions.first().copied(),
            last_dose: infusions.last().copied(),
            end: last_date,
            age,
            female,
            arm: ArmRef::Arm(arm as u16),
            treated: !infusions.is_empty(),
        });
        self.adverse_events(
            subj,
            planned,
            arm_cfg.dose > 0.0,
            (consent, w0, last_date),
            &infusions,
            &mut rng,
            &mut rows.ae,
        );
    }

    fn supplemental(&self, subj: u32, fate: Fate, rng: &mut TrialRng, rows: &mut Vec<SuppRow>) {
        let art = if fate == Fate::ScreenFailure(Ineligibility::ShortArt) {
            rng.between(6, 23) as i32
        } else {
            24 + (36.0 * libm::exp(0.6 * rng.portable_normal()))
                .round()
                .min(180.0) as i32
        };
        let diagnosis = art + (8.0 * libm::exp(rng.portable_normal())).round().min(120.0) as i32;
        let route = pick(rng, &ROUTES).unwrap_or("UNKNOWN");
        let regimen = pick(rng, &REGIMENS).unwrap_or("AZT+3TC+NVP");
        let second = if rng.bernoulli(0.2) { "Y" } else { "N" };
        let pre4 = (57.0 * libm::exp(1.4 * rng.portable_normal()))
            .round()
            .clamp(1.0, 400.0) as i32;
        let pre8 = (600.0 * libm::exp(0.6 * rng.portable_normal()))
            .round()
            .clamp(80.0, 3000.0) as i32;
        let values = [
            SuppValue::Int(diagnosis),
            SuppValue::Int(art),
            SuppValue::Text(route),
            SuppValue::Text(regimen),
            SuppValue::Text(second),
            SuppValue::Int(pre4),
            SuppValue::Int(pre8),
        ];
        for (q, value) in values.into_iter().enumerate() {
            rows.push(SuppRow {
                subj,
                qualifier: q as u8,
                value,
            });
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn adverse_events(
        &self,
        subj: u32,
        planned: &Planned,
        active: bool,
        (consent, w0, last_date): (i32, i32, i32),
        infusions: &[i32],
        rng: &mut TrialRng,
        rows: &mut Vec<AeRow>,
    ) {
        if !planned.any_ae {
            return;
        }
        struct Ae {
            term: u8,
            grade: u8,
            relation: u8,
            start: i32,
            end: i32,
        }
        let mut events: Vec<Ae> = Vec::new();
        let infusion = |rng: &mut TrialRng| -> i32 {
            infusions
                .get(rng.below(infusions.len().max(1)))
                .copied()
                .unwrap_or(w0)
        };
        let grade = |rng: &mut TrialRng, p_moderate: f64| 1 + u8::from(rng.bernoulli(p_moderate));
        let blinded_relation = |rng: &mut TrialRng| {
            if active && rng.bernoulli(0.6) {
                RELATED
            } else {
                POSSIBLY_RELATED
            }
        };
        let others = |rng: &mut TrialRng, events: &mut Vec<Ae>, n: usize| {
            let mut used: Vec<u8> = Vec::new();
            while used.len() < n {
                let term = OTHER_FIRST + rng.below(usize::from(OTHER_END - OTHER_FIRST)) as u8;
                if used.contains(&term) {
                    continue;
                }
                used.push(term);
                let start = rng.between(i64::from(w0) + 1, i64::from(last_date) - 1) as i32;
                let end = (start + rng.between(1, 14) as i32).min(last_date);
                let relation = if rng.bernoulli(0.5) {
                    NOT_RELATED
                } else {
                    POSSIBLY_RELATED
                };
                events.push(Ae {
                    term,
                    grade: grade(rng, 0.2),
                    relation,
                    start,
                    end,
                });
            }
        };
        if planned.common_ae {
            let first = pick(rng, &[(PYREXIA, 0.5), (FATIGUE, 0.3), (INSOMNIA, 0.2)]);
            for term in [PYREXIA, FATIGUE, INSOMNIA] {
                if Some(term) != first && !rng.bernoulli(0.15) {
                    continue;
                }
                let at = infusion(rng);
                let (start, end, g) = match term {
                    PYREXIA => (at, at, 1),
                    FATIGUE => {
                        let s = at + rng.between(0, 2) as i32;
                        (s, s + rng.between(1, 6) as i32, grade(rng, 0.2))
                    }
                    _ => {
                        let s = at + rng.between(1, 14) as i32;
                        (s, s + rng.between(3, 20) as i32, grade(rng, 0.2))
                    }
                };
                events.push(Ae {
                    term,
                    grade: g,
                    relation: blinded_relation(rng),
                    start,
                    end,
                });
            }
            if rng.bernoulli(0.3) {
                others(rng, &mut events, 1);
            }
        } else {
            let n = 1 + usize::from(rng.bernoulli(0.3));
            others(rng, &mut events, n);
        }
        if planned.pre_dose_ae {
            let term = if rng.bernoulli(0.5) { HEADACHE } else { URTI };
            let start = rng.between(i64::from(consent) + 1, i64::from(w0) - 2) as i32;
            events.push(Ae {
                term,
                grade: 1,
                relation: NOT_RELATED,
                start,
                end: start + rng.between(2, 7) as i32,
            });
        }
        events.sort_by_key(|e| (e.start, e.term));
        for (k, e) in events.into_iter().enumerate() {
            let n_verbatim = AE_TERMS[usize::from(e.term)].verbatim.len();
            rows.push(AeRow {
                subj,
                seq: k as u32 + 1,
                term: e.term,
                verbatim: rng.below(n_verbatim) as u8,
                grade: e.grade,
                relation: e.relation,
                start: e.start,
                end: e.end,
                study_day: study_day(e.start, w0),
            });
        }
    }
}
