/// The page's inline style sheet and script: constants, inserted with ``HTML/raw(_:)``.
extension SweepReportPage {
    static let css = """
    :root{--ink:#1d1d24;--muted:#6b6b78;--line:#e3e3ea;--accent:#0072B2}
    *{box-sizing:border-box}
    body{margin:0 auto;max-width:1120px;padding:24px 28px 48px;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
    h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;padding-top:12px;border-top:1px solid var(--line)}h3{font-size:15px;margin:18px 0 6px}
    .lead{font-size:15px;margin:0 0 12px;color:#33333d}
    .facts{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0 0 12px}.facts div{display:flex;gap:8px}.facts dt{color:var(--muted)}.facts dd{margin:0}
    .muted{color:var(--muted)}.ok{color:#0a7d3b}.bad{color:#b3261e;font-weight:600}.note{background:#fff6e0;padding:6px 10px;border-radius:4px}
    nav{position:sticky;top:0;background:#fffffff0;padding:8px 0;border-bottom:1px solid var(--line);z-index:1}nav a{color:var(--accent);text-decoration:none}
    .cards{display:flex;flex-wrap:wrap;gap:12px;margin:14px 0}.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:200px;max-width:340px}
    .big{font-size:22px;font-weight:650}.small{font-size:12px;color:var(--muted)}
    figure{margin:12px 0 20px}.row{display:flex;flex-wrap:wrap;gap:0 24px}.row figure{flex:1 1 420px;max-width:490px}figcaption{font-size:13px;color:#44444f;max-width:880px}
    svg.chart{max-width:100%;height:auto;display:block;font-family:inherit}
    table{border-collapse:collapse;font-size:12.5px;margin:8px 0}th,td{padding:3px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
    td[data-v]{text-align:right;font-variant-numeric:tabular-nums}td.error{white-space:normal;color:#b3261e;max-width:640px}
    table.sortable th{cursor:pointer;user-select:none;background:#f4f4f8;position:sticky;top:0}
    th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
    table.axes td{white-space:normal}.scroll{overflow:auto;max-height:640px;border:1px solid var(--line)}
    .filter{margin:4px 0;padding:4px 8px;width:260px;border:1px solid #ccc;border-radius:4px}
    code{font-size:12.5px;background:#f4f4f8;padding:0 3px;border-radius:3px}
    footer{margin-top:36px;color:var(--muted);font-size:12px}
    """

    /// Sortable tables (numbers by `data-v`, empty values last either way), the row filter, and `data-ready` on
    /// `<body>` once it ran (scripts/check-report.sh looks for it).
    static let script = """
    (function(){
    function key(cell){if(!cell)return null;var v=cell.getAttribute('data-v');if(v!==null){return v===''?null:parseFloat(v);}return cell.textContent.toLowerCase();}
    function sortBy(table,column,th){
    var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells,function(h){h.removeAttribute('aria-sort');});
    th.setAttribute('aria-sort',dir>0?'ascending':'descending');
    var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
    rows.forEach(function(r,i){r._i=i;});
    rows.sort(function(a,b){var x=key(a.cells[column]),y=key(b.cells[column]);
    if(x===null&&y===null)return a._i-b._i;if(x===null)return 1;if(y===null)return -1;
    if(typeof x!==typeof y){x=String(x);y=String(y);}
    return x<y?-dir:x>y?dir:a._i-b._i;});
    rows.forEach(function(r){body.appendChild(r);});}
    document.querySelectorAll('table.sortable').forEach(function(table){
    Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){th.addEventListener('click',function(){sortBy(table,i,th);});});});
    document.querySelectorAll('input.filter').forEach(function(input){
    var table=document.getElementById(input.getAttribute('data-table'));
    input.addEventListener('input',function(){var q=input.value.toLowerCase();
    Array.prototype.forEach.call(table.tBodies[0].rows,function(r){r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':'';});});});
    document.body.setAttribute('data-ready','1');
    })();
    """
}
