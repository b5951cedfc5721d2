//! What a component holds, read without running it: its top-level sections, imports and
//! exports. rt runs core modules only; `rt objdump` and `rt explain` describe a component
//! with this, so a user can see what it is and what world it lives in.
use super::ParseError;
use wasmparser::{
    BinaryReader, ComponentExportSectionReader, ComponentExternalKind,
    ComponentImportSectionReader, ComponentTypeRef,
};

/// One top-level section: where it lies and, for imports and exports, how many entries.
pub struct ComponentSection {
    pub id: u8,
    pub name: &'static str,
    /// Start and end of the payload (after the id and size).
    pub start: usize,
    pub end: usize,
}

/// A named import or export and the kind of item it is (`instance`, `func`, ...).
pub struct ComponentItem {
    pub name: String,
    pub kind: &'static str,
}

pub struct ComponentSummary {
    pub version: u32,
    pub sections: Vec<ComponentSection>,
    pub imports: Vec<ComponentItem>,
    pub exports: Vec<ComponentItem>,
}

/// The component model's section names, by id.
fn section_name(id: u8) -> &'static str {
    match id {
        0 => "Custom",
        1 => "CoreModule",
        2 => "CoreInstance",
        3 => "CoreType",
        4 => "Component",
        5 => "Instance",
        6 => "Alias",
        7 => "Type",
        8 => "Canon",
        9 => "Start",
        10 => "Import",
        11 => "Export",
        12 => "Value",
        _ => "Unknown",
    }
}

fn type_ref_kind(ty: ComponentTypeRef) -> &'static str {
    match ty {
        ComponentTypeRef::Module(_) => "core module",
        ComponentTypeRef::Func(_) => "func",
        ComponentTypeRef::Value(_) => "value",
        ComponentTypeRef::Type(_) => "type",
        ComponentTypeRef::Instance(_) => "instance",
        ComponentTypeRef::Component(_) => "component",
    }
}

fn external_kind(kind: ComponentExternalKind) -> &'static str {
    match kind {
        ComponentExternalKind::Module => "core module",
        ComponentExternalKind::Func => "func",
        ComponentExternalKind::Value => "value",
        ComponentExternalKind::Type => "type",
        ComponentExternalKind::Instance => "instance",
        ComponentExternalKind::Component => "component",
    }
}

fn err(e: wasmparser::BinaryReaderError) -> ParseError {
    ParseError {
        offset: e.offset() as usize,
        message: e.message().to_string(),
    }
}

/// Read a component binary's top-level structure (nested modules and components are
/// sections here, not descended into).
pub fn summarize(bytes: &[u8]) -> Result<ComponentSummary, ParseError> {
    let mut reader = BinaryReader::new(bytes, 0);
    let magic = reader.read_bytes(4).map_err(err)?;
    if magic != b"\0asm" {
        return Err(ParseError {
            offset: 0,
            message: "bad magic value".into(),
        });
    }
    let version = reader.read_u32().map_err(err)?;
    let mut summary = ComponentSummary {
        version,
        sections: Vec::new(),
        imports: Vec::new(),
        exports: Vec::new(),
    };
    while !reader.eof() {
        let id = reader.read_u8().map_err(err)?;
        let size = reader.read_var_u32().map_err(err)? as usize;
        let start = reader.original_position() as usize;
        let payload = reader.read_bytes(size).map_err(err)?;
        let section = BinaryReader::new(payload, start as u64);
        match id {
            10 => {
                for import in ComponentImportSectionReader::new(section).map_err(err)? {
                    let import = import.map_err(err)?;
                    summary.imports.push(ComponentItem {
                        name: import.name.name.to_string(),
                        kind: type_ref_kind(import.ty),
                    });
                }
            }
            11 => {
                for export in ComponentExportSectionReader::new(section).map_err(err)? {
                    let export = export.map_err(err)?;
                    summary.exports.push(ComponentItem {
                        name: export.name.name.to_string(),
                        kind: external_kind(export.kind),
                    });
                }
            }
            _ => {}
        }
        summary.sections.push(ComponentSection {
            id,
            name: section_name(id),
            start,
            end: start + size,
        });
    }
    Ok(summary)
}
