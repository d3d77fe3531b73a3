// Package orderfile reads order export files into siyu.OrderInput values and
// writes them, for imports, tests and demo data.
//
// Two formats are understood (see docs/IMPORT-FORMATS.md for every column):
//
//   - FormatTaobao: the Taobao/Tmall seller-center order report (订单报表),
//     GBK-encoded CSV with Chinese headers and Excel-proofing quirks.
//   - FormatGeneric: a UTF-8 CSV with English snake_case headers, one row per
//     order, for every other channel.
//
// A Reader streams rows: Next returns one prepared order at a time, a bad row
// comes back as a siyu.RowError naming the physical line and the column, and
// the caller can go on with the next row. Both formats detect their encoding:
// a file that is valid UTF-8 (with or without a BOM) is read as UTF-8, any
// other as GB18030 (a superset of GBK), which is what Excel on a Chinese
// Windows saves.
package orderfile
