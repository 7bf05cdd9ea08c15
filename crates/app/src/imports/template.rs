//! The import template (导入模板): one sheet with the columns an import reads and an example
//! row, and a second sheet saying what each column takes (required, the pick lists' values).

use salesdesk_domain::access::Permission;
use salesdesk_domain::custom_field::{FieldDef, FieldKind};
use salesdesk_domain::customer::OptionKind;
use salesdesk_domain::import::ImportField;
use salesdesk_store::customers;

use crate::custom_fields::{self, CUSTOMER};
use crate::{Actor, App, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateFormat {
    Xlsx,
    Csv,
}

fn example(f: ImportField) -> &'static str {
    match f {
        ImportField::Name => "上海华远精密机械有限公司",
        ImportField::ShortName => "华远机械",
        ImportField::CreditCode => "91310000MA1FL4XQ3A",
        ImportField::ExternalId => "CRM-000123",
        ImportField::TypeCode => "中小客户",
        ImportField::LevelCode => "A 级",
        ImportField::StatusCode => "意向",
        ImportField::IndustryCode => "制造业",
        ImportField::SourceCode => "展会",
        ImportField::Province => "上海市",
        ImportField::City => "上海市",
        ImportField::District => "浦东新区",
        ImportField::Address => "张江路 88 号",
        ImportField::Lat => "31.2035",
        ImportField::Lon => "121.5907",
        ImportField::Tags => "重点, 华东",
        ImportField::Notes => "",
        ImportField::Owner => "",
        ImportField::ContactName => "王磊",
        ImportField::ContactTitle => "采购经理",
        ImportField::ContactRole => "决策人",
        ImportField::ContactMobile => "13800138000",
        ImportField::ContactPhone => "021-58881234",
        ImportField::ContactEmail => "wanglei@example.com",
        ImportField::ContactWechat => "wanglei_sh",
        ImportField::ContactBirthday => "1985-06-18",
    }
}

fn note(f: ImportField, zh: bool) -> &'static str {
    match (f, zh) {
        (ImportField::Name, true) => "必填；同名（去掉省市、括号、有限公司等后相同）视为同一客户",
        (ImportField::Name, false) => {
            "Required; the same name after normalisation is the same customer"
        }
        (ImportField::CreditCode, true) => "18 位，含校验位；可空",
        (ImportField::CreditCode, false) => "18 characters with its check character; optional",
        (ImportField::ExternalId, true) => "原系统中的客户编号，按外部编号更新时用",
        (ImportField::ExternalId, false) => "The customer's id in the system the file comes from",
        (ImportField::Owner, true) => "登录名、手机号或姓名；空则归导入人或所选负责人",
        (ImportField::Owner, false) => {
            "Login name, mobile or name; empty: the importer or the chosen owner"
        }
        (ImportField::Tags, true) => "多个标签用逗号或顿号分隔",
        (ImportField::Tags, false) => "Separate tags with commas",
        (ImportField::ContactMobile, true) => "中国大陆手机号；其他国家加国家码，如 +852…",
        (ImportField::ContactMobile, false) => {
            "Mainland mobile; others with a country code (+852…)"
        }
        (ImportField::ContactBirthday, true) => "日期，如 1985-06-18",
        (ImportField::ContactBirthday, false) => "A date such as 1985-06-18",
        _ => "",
    }
}

fn option_kind(f: ImportField) -> Option<OptionKind> {
    Some(match f {
        ImportField::TypeCode => OptionKind::Type,
        ImportField::LevelCode => OptionKind::Level,
        ImportField::StatusCode => OptionKind::Status,
        ImportField::IndustryCode => OptionKind::Industry,
        ImportField::SourceCode => OptionKind::Source,
        _ => return None,
    })
}

/// One column of the template: its header, the example row's cell, what it takes, and the
/// values a pick list offers.
struct Column {
    header: String,
    example: String,
    note: String,
    values: String,
}

/// A company-defined field's column: its label, a valid example (the first options of a
/// select), and its kind as the note.
fn custom_column(d: &FieldDef, zh: bool) -> Column {
    let active: Vec<&str> = d
        .options
        .iter()
        .filter(|o| o.active)
        .map(|o| o.label.as_str())
        .collect();
    let (example, kind) = match d.kind {
        FieldKind::Text => (
            if zh { "示例" } else { "Example" }.to_owned(),
            if zh { "文本" } else { "Text" },
        ),
        FieldKind::Number => ("100".to_owned(), if zh { "数字" } else { "Number" }),
        FieldKind::Date => (
            "2026-01-01".to_owned(),
            if zh {
                "日期，如 2026-01-01"
            } else {
                "A date such as 2026-01-01"
            },
        ),
        FieldKind::Select => (
            active.first().copied().unwrap_or_default().to_owned(),
            if zh {
                "单选，填选项名称"
            } else {
                "One of the values"
            },
        ),
        FieldKind::MultiSelect => (
            active
                .iter()
                .take(2)
                .copied()
                .collect::<Vec<_>>()
                .join("、"),
            if zh {
                "多选，用顿号或逗号分隔"
            } else {
                "Values separated by commas"
            },
        ),
    };
    let note = match (d.required, zh) {
        (true, true) => format!("必填；{kind}"),
        (true, false) => format!("Required; {kind}"),
        (false, _) => kind.to_owned(),
    };
    Column {
        header: d.label.clone(),
        example,
        note,
        values: active.join(if zh { "、" } else { ", " }),
    }
}

/// The template file: (file name, content type, bytes).
pub async fn template(
    app: &App,
    actor: &Actor,
    format: TemplateFormat,
    zh: bool,
) -> AppResult<(String, &'static str, Vec<u8>)> {
    actor.require(Permission::CustomersImport)?;
    let mut tx = app.db.begin_read().await?;
    let options = customers::options(&mut tx).await?;
    let defs = custom_fields::defs(&mut tx, CUSTOMER).await?;
    tx.commit().await?;
    let builtin = ImportField::all().map(|f| Column {
        header: if zh { f.label_zh() } else { f.label_en() }.to_owned(),
        example: example(f).to_owned(),
        note: note(f, zh).to_owned(),
        values: option_kind(f).map_or_else(String::new, |kind| {
            let values: Vec<&str> = options
                .iter()
                .filter(|o| o.kind == kind.as_str() && o.active)
                .map(|o| {
                    if zh {
                        o.name.as_str()
                    } else {
                        o.name_en.as_str()
                    }
                })
                .collect();
            values.join(if zh { "、" } else { ", " })
        }),
    });
    let custom = defs
        .iter()
        .filter(|d| d.active)
        .map(|d| custom_column(d, zh));
    let columns: Vec<Column> = builtin.chain(custom).collect();
    let base = if zh {
        "客户导入模板"
    } else {
        "customer-import-template"
    };
    match format {
        TemplateFormat::Csv => {
            let mut s = String::from("\u{feff}");
            let header: Vec<&str> = columns.iter().map(|c| c.header.as_str()).collect();
            salesdesk_domain::export::push_csv_line(&mut s, &header);
            let row: Vec<&str> = columns.iter().map(|c| c.example.as_str()).collect();
            salesdesk_domain::export::push_csv_line(&mut s, &row);
            Ok((
                format!("{base}.csv"),
                "text/csv; charset=utf-8",
                s.into_bytes(),
            ))
        }
        TemplateFormat::Xlsx => {
            use rust_xlsxwriter::{Format, Workbook};
            let map = |e: rust_xlsxwriter::XlsxError| crate::AppError::Internal(e.to_string());
            let mut wb = Workbook::new();
            let bold = Format::new().set_bold();
            let text = Format::new().set_num_format("@");
            let ws = wb.add_worksheet();
            ws.set_name(if zh { "客户" } else { "Customers" })
                .map_err(map)?;
            for (c, col) in columns.iter().enumerate() {
                let c = c as u16;
                // Text columns, so Excel keeps leading zeros and long numbers as typed.
                ws.set_column_format(c, &text).map_err(map)?;
                ws.set_column_width(c, 16).map_err(map)?;
                ws.write_string_with_format(0, c, &col.header, &bold)
                    .map_err(map)?;
                ws.write_string(1, c, &col.example).map_err(map)?;
            }
            let help = wb.add_worksheet();
            help.set_name(if zh { "说明" } else { "Notes" })
                .map_err(map)?;
            let heads = if zh {
                ["列", "说明", "可选值"]
            } else {
                ["Column", "Notes", "Values"]
            };
            for (c, h) in heads.iter().enumerate() {
                help.write_string_with_format(0, c as u16, *h, &bold)
                    .map_err(map)?;
            }
            help.set_column_width(0, 18).map_err(map)?;
            help.set_column_width(1, 60).map_err(map)?;
            help.set_column_width(2, 60).map_err(map)?;
            for (r, col) in columns.iter().enumerate() {
                let r = r as u32 + 1;
                help.write_string(r, 0, &col.header).map_err(map)?;
                help.write_string(r, 1, &col.note).map_err(map)?;
                help.write_string(r, 2, &col.values).map_err(map)?;
            }
            let bytes = wb.save_to_buffer().map_err(map)?;
            Ok((
                format!("{base}.xlsx"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                bytes,
            ))
        }
    }
}
