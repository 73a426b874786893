//! Controlled terms of the demo study: lab tests and their reference ranges,
//! the adverse-event dictionary (MedDRA preferred terms and system organ
//! classes), and the reasons a lab was not done.

/// A lab test as LB reports it.
pub(super) struct LabTest {
    pub code: &'static str,
    pub name: &'static str,
    pub category: &'static str,
    /// LBORRESU.
    pub orig_unit: &'static str,
    /// LBSTRESU.
    pub std_unit: &'static str,
    /// Decimals a lab reports.
    pub decimals: usize,
}

pub(super) const CD4: u8 = 0;
pub(super) const CD8: u8 = 1;
pub(super) const RATIO: u8 = 2;
pub(super) const HIV_RNA: u8 = 3;
pub(super) const ALT: u8 = 4;
pub(super) const AST: u8 = 5;

pub(super) const LAB_TESTS: [LabTest; 6] = [
    LabTest {
        code: "CD4",
        name: "CD4 Lymphocytes",
        category: "IMMUNOLOGY",
        orig_unit: "cells/uL",
        std_unit: "cells/uL",
        decimals: 0,
    },
    LabTest {
        code: "CD8",
        name: "CD8 Lymphocytes",
        category: "IMMUNOLOGY",
        orig_unit: "cells/uL",
        std_unit: "cells/uL",
        decimals: 0,
    },
    LabTest {
        code: "CD4CD8",
        name: "CD4/CD8 Ratio",
        category: "IMMUNOLOGY",
        orig_unit: "",
        std_unit: "RATIO",
        decimals: 3,
    },
    LabTest {
        code: "HIV1RNA",
        name: "HIV-1 RNA",
        category: "VIROLOGY",
        orig_unit: "copies/mL",
        std_unit: "copies/mL",
        decimals: 0,
    },
    LabTest {
        code: "ALT",
        name: "Alanine Aminotransferase",
        category: "CHEMISTRY",
        orig_unit: "U/L",
        std_unit: "U/L",
        decimals: 0,
    },
    LabTest {
        code: "AST",
        name: "Aspartate Aminotransferase",
        category: "CHEMISTRY",
        orig_unit: "U/L",
        std_unit: "U/L",
        decimals: 0,
    },
];

/// The lower limit of quantification of the HIV-1 RNA assay (copies/mL);
/// results below it read `<20`.
pub(super) const HIV_LLOQ: i64 = 20;

/// The reference range of a test for a subject's sex (`None` when the lab
/// gives none, as for HIV-1 RNA). Ranges of the Chinese adult population:
/// CD4 410-1590 and CD8 190-1140 cells/uL, CD4/CD8 0.9-2.0; ALT 9-50 U/L
/// (men) and 7-40 (women), AST 15-40 (men) and 13-35 (women).
pub(super) fn reference_range(test: u8, female: bool) -> Option<(f64, f64)> {
    match (test, female) {
        (CD4, _) => Some((410.0, 1590.0)),
        (CD8, _) => Some((190.0, 1140.0)),
        (RATIO, _) => Some((0.9, 2.0)),
        (ALT, false) => Some((9.0, 50.0)),
        (ALT, true) => Some((7.0, 40.0)),
        (AST, false) => Some((15.0, 40.0)),
        (AST, true) => Some((13.0, 35.0)),
        _ => None,
    }
}

/// LBREASND values for a panel not done.
pub(super) const NOT_DONE_REASONS: [&str; 3] = [
    "SAMPLE HAEMOLYSED",
    "SAMPLE NOT COLLECTED",
    "INSUFFICIENT SAMPLE VOLUME",
];

/// An adverse event term: preferred term, its system organ class and the
/// verbatim terms investigators wrote for it.
pub(super) struct AeTerm {
    pub decod: &'static str,
    pub bodsys: &'static str,
    pub verbatim: &'static [&'static str],
}

const GENERAL: &str = "General disorders and administration site conditions";

pub(super) const PYREXIA: u8 = 0;
pub(super) const FATIGUE: u8 = 1;
pub(super) const INSOMNIA: u8 = 2;
/// The "other" reactions of Table 2 (cardiac, gastrointestinal, skin, ear,
/// respiratory, blood) are `OTHER_FIRST..OTHER_END`.
pub(super) const OTHER_FIRST: u8 = 3;
pub(super) const OTHER_END: u8 = 16;
pub(super) const HEADACHE: u8 = 16;
// The "other" reactions stop before the terms kept for pre-dose events.
const _: () = assert!(OTHER_END <= HEADACHE);
pub(super) const URTI: u8 = 17;

pub(super) const AE_TERMS: [AeTerm; 18] = [
    AeTerm {
        decod: "Pyrexia",
        bodsys: GENERAL,
        verbatim: &[
            "Fever",
            "Low-grade fever after infusion",
            "Fever after transfusion",
        ],
    },
    AeTerm {
        decod: "Fatigue",
        bodsys: GENERAL,
        verbatim: &["Fatigue", "Tiredness", "Feeling tired"],
    },
    AeTerm {
        decod: "Insomnia",
        bodsys: "Psychiatric disorders",
        verbatim: &["Insomnia", "Difficulty sleeping"],
    },
    AeTerm {
        decod: "Palpitations",
        bodsys: "Cardiac disorders",
        verbatim: &["Palpitations", "Heart palpitation"],
    },
    AeTerm {
        decod: "Sinus tachycardia",
        bodsys: "Cardiac disorders",
        verbatim: &["Sinus tachycardia"],
    },
    AeTerm {
        decod: "Diarrhoea",
        bodsys: "Gastrointestinal disorders",
        verbatim: &["Diarrhea", "Loose stools"],
    },
    AeTerm {
        decod: "Nausea",
        bodsys: "Gastrointestinal disorders",
        verbatim: &["Nausea"],
    },
    AeTerm {
        decod: "Abdominal distension",
        bodsys: "Gastrointestinal disorders",
        verbatim: &["Abdominal bloating"],
    },
    AeTerm {
        decod: "Rash",
        bodsys: "Skin and subcutaneous tissue disorders",
        verbatim: &["Skin rash", "Rash on trunk"],
    },
    AeTerm {
        decod: "Pruritus",
        bodsys: "Skin and subcutaneous tissue disorders",
        verbatim: &["Itching"],
    },
    AeTerm {
        decod: "Tinnitus",
        bodsys: "Ear and labyrinth disorders",
        verbatim: &["Tinnitus", "Ringing in ears"],
    },
    AeTerm {
        decod: "Vertigo",
        bodsys: "Ear and labyrinth disorders",
        verbatim: &["Vertigo"],
    },
    AeTerm {
        decod: "Cough",
        bodsys: "Respiratory, thoracic and mediastinal disorders",
        verbatim: &["Cough", "Dry cough"],
    },
    AeTerm {
        decod: "Oropharyngeal pain",
        bodsys: "Respiratory, thoracic and mediastinal disorders",
        verbatim: &["Sore throat"],
    },
    AeTerm {
        decod: "Leukopenia",
        bodsys: "Blood and lymphatic system disorders",
        verbatim: &["Low white blood cell count", "Leukopenia"],
    },
    AeTerm {
        decod: "Anaemia",
        bodsys: "Blood and lymphatic system disorders",
        verbatim: &["Mild anemia"],
    },
    AeTerm {
        decod: "Headache",
        bodsys: "Nervous system disorders",
        verbatim: &["Headache"],
    },
    AeTerm {
        decod: "Upper respiratory tract infection",
        bodsys: "Infections and infestations",
        verbatim: &["Common cold", "Upper respiratory tract infection"],
    },
];

/// AEREL values.
pub(super) const RELATED: u8 = 0;
pub(super) const POSSIBLY_RELATED: u8 = 1;
pub(super) const NOT_RELATED: u8 = 2;
pub(super) const REL_TERMS: [&str; 3] = ["RELATED", "POSSIBLY RELATED", "NOT RELATED"];

/// SUPPDM qualifiers: QNAM and QLABEL, in the order they are written.
pub(super) const SUPP_QUALIFIERS: [(&str, &str); 7] = [
    ("HIVDXMO", "Time Since HIV Diagnosis (months)"),
    ("ARTDURMO", "ART Duration (months)"),
    ("HIVROUTE", "HIV Infection Route"),
    ("ART1L", "First-Line ART Regimen"),
    ("ART2LFL", "Switched to Second-Line ART"),
    ("PREARTC4", "Pre-ART CD4 (cells/uL)"),
    ("PREARTC8", "Pre-ART CD8 (cells/uL)"),
];

/// HIV infection routes with their shares.
pub(super) const ROUTES: [(&str, f64); 3] = [("SEXUAL", 0.55), ("BLOOD", 0.35), ("UNKNOWN", 0.10)];

/// First-line ART regimens in China's national programme with their shares.
pub(super) const REGIMENS: [(&str, f64); 4] = [
    ("AZT+3TC+NVP", 0.40),
    ("D4T+3TC+NVP", 0.25),
    ("TDF+3TC+EFV", 0.25),
    ("AZT+3TC+EFV", 0.10),
];

/// Epochs.
pub(super) const SCREENING: u8 = 0;
pub(super) const TREATMENT: u8 = 1;
pub(super) const FOLLOW_UP: u8 = 2;
pub(super) const EPOCHS: [&str; 3] = ["SCREENING", "TREATMENT", "FOLLOW-UP"];
