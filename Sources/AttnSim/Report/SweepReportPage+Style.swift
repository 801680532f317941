/// The page's inline style sheet and script: constants, inserted with ``HTML/raw(_:)``.
extension SweepReportPage {
    static let css = """
    :root{--ink:#1d1d24;--muted:#6b6b78;--line:#e3e3ea;--accent:#0072B2}
    *{box-sizing:border-box}
    body{margin:0 auto;max-width:1320px;padding:24px 28px 48px;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
    h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;padding-top:12px;border-top:1px solid var(--line)}h3{font-size:15px;margin:18px 0 6px}
    .lead{font-size:15px;margin:0 0 12px;color:#33333d}
    .facts{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0 0 12px}.facts div{display:flex;gap:8px}.facts dt{color:var(--muted)}.facts dd{margin:0}
    .muted{color:var(--muted)}.ok{color:#0a7d3b}.bad{color:#b3261e;font-weight:600}.note{background:#fff6e0;padding:6px 10px;border-radius:4px}
    nav{position:sticky;top:0;background:#fffffff0;padding:8px 0;border-bottom:1px solid var(--line);z-index:1}nav a{color:var(--accent);text-decoration:none}
    .cards{display:flex;flex-wrap:wrap;gap:12px;margin:14px 0}.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:200px;max-width:340px}
    .big{font-size:22px;font-weight:650}.small{font-size:12px;color:var(--muted)}
    figure{margin:12px 0 20px;display:inline-block;vertical-align:top}figure.half{width:49%;min-width:460px;padding-right:16px}figure.wide{display:block}
    figcaption{font-size:13px;color:#44444f;max-width:880px}.vega{overflow-x:auto;min-height:40px}.clear{clear:both}
    label.control{display:block;font-size:13px;margin:0 0 4px}label.control select{margin-left:6px}
    table{border-collapse:collapse;font-size:12.5px;margin:8px 0}th,td{padding:3px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
    td[data-v]{text-align:right;font-variant-numeric:tabular-nums}td.error{white-space:normal;color:#b3261e;max-width:640px}
    table.sortable th,#points-table th{cursor:pointer;user-select:none;background:#f4f4f8;position:sticky;top:0}
    th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
    tr[data-index]{cursor:pointer}tr.focus td{background:#fff3c4}
    table.axes td{white-space:normal}.scroll{overflow:auto;max-height:640px;border:1px solid var(--line)}
    .tablebar{display:flex;gap:10px;align-items:center}.filter{margin:4px 0;padding:4px 8px;width:260px;border:1px solid #ccc;border-radius:4px}
    #tip{position:fixed;display:none;z-index:10;background:#fffffff5;border:1px solid #bbb;border-radius:4px;padding:6px 8px;font-size:12px;pointer-events:none;max-width:520px;box-shadow:0 2px 8px #0002}
    #tip table{margin:0}#tip td{border:0;padding:0 6px 0 0}#tip td:first-child{color:var(--muted)}#tip b{display:block;margin-bottom:3px}
    .focus{margin:0 0 16px}details.warnings{font-size:12px;color:var(--muted)}
    code{font-size:12.5px;background:#f4f4f8;padding:0 3px;border-radius:3px}
    footer{margin-top:36px;color:var(--muted);font-size:12px}
    """

    /// Renders the charts (Vega-Lite specs compiled in the page, drawn by Vega views on canvas), the tooltip with the
    /// whole point, the colour/bound controls, brush → points-table filters, the points table (sorted, filtered, at
    /// most `table.limit` rows at once), the waterfall of a clicked point, the static sortable tables, and
    /// `data-ready="1"` on `<body>` once every view has run (scripts/check-report.sh waits for it). Vega and
    /// Vega-Lite warnings are listed at the foot of the page; errors go to the console (the checker fails on them).
    static let script = """
    (function(){
    'use strict';
    var D=JSON.parse(document.getElementById('report-data').textContent);
    var F=D.fields,P=D.datasets.points,C=D.constants||{},byIndex={};
    P.forEach(function(r){Object.keys(C).forEach(function(k){r[k]=C[k];});byIndex[r.index]=r;});
    var RAW={};Object.keys(D.datasets).forEach(function(k){RAW[k]=JSON.stringify(D.datasets[k]);});
    var SI=[[1e15,'P'],[1e12,'T'],[1e9,'G'],[1e6,'M'],[1e3,'k'],[1,''],[1e-3,'m'],[1e-6,'\\u00b5'],[1e-9,'n'],[1e-12,'p']];
    function num(v){var a=Math.abs(v);return a>=100?v.toFixed(0):a>=10?v.toFixed(1):v.toFixed(2);}
    function si(v,u){if(v===0)return '0 '+u;var a=Math.abs(v);for(var i=0;i<SI.length;i++){if(a>=SI[i][0]*0.9995)return num(v/SI[i][0])+' '+SI[i][1]+u;}return v.toExponential(2)+' '+u;}
    function fmt(v,u){if(v===null||v===undefined)return '\\u2014';if(typeof v!=='number')return String(v);
    switch(u){case 'x':return num(v)+'\\u00d7';case '%':return (v*100).toFixed(1)+' %';case 'ratio':return v.toFixed(3);
    case 'FLOP/B':return (+v.toPrecision(3))+' FLOP/B';case '':return Number.isInteger(v)?String(v):String(+v.toPrecision(4));default:return si(v,u);}}
    vega.expressionFunction('unit',function(v,u){return fmt(v,u);});
    var warnings=[];
    function note(level,args){warnings.push(level+': '+Array.prototype.map.call(args,String).join(' '));}
    var logger={_l:vega.Warn,level:function(l){if(arguments.length){this._l=l;return this;}return this._l;},
    error:function(){console.error.apply(console,arguments);return this;},warn:function(){note('warning',arguments);return this;},
    info:function(){return this;},debug:function(){return this;}};
    var CONFIG={customFormatTypes:true,font:'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
    axis:{labelFontSize:11,titleFontSize:12,titleFontWeight:500,labelOverlap:true},legend:{labelFontSize:11,titleFontSize:12,labelLimit:260},
    header:{labelFontSize:11,titleFontSize:12},view:{stroke:'#ddd'},
    range:{category:['#0072B2','#E69F00','#009E73','#CC79A7','#56B4E9','#D55E00','#F0E442','#000000','#999999','#882255']}};
    var tip=document.createElement('div');tip.id='tip';document.body.appendChild(tip);
    function cell(tr,text,tag){var td=document.createElement(tag||'td');td.textContent=text;tr.appendChild(td);return td;}
    function showTip(handler,event,item,value){
    if(value===null||value===undefined||value===''){tip.style.display='none';return;}
    while(tip.firstChild)tip.removeChild(tip.firstChild);
    var t=document.createElement('table');
    if(typeof value==='object'){
    if(value.name!==undefined){var b=document.createElement('b');b.textContent=value.name;tip.appendChild(b);}
    Object.keys(value).forEach(function(k){if(k==='name'||k==='panel_order'||k==='panel')return;var f=F[k],v=value[k];
    if(v===null||v===undefined||typeof v==='object')return;var tr=document.createElement('tr');
    cell(tr,f?f.title:k);cell(tr,f?fmt(v,f.unit):(typeof v==='number'?fmt(v,''):String(v)));t.appendChild(tr);});
    }else{var tr=document.createElement('tr');cell(tr,String(value));t.appendChild(tr);}
    tip.appendChild(t);tip.style.display='block';
    var x=event.clientX+14,y=event.clientY+14;
    if(x+tip.offsetWidth>window.innerWidth)x=Math.max(0,event.clientX-tip.offsetWidth-14);
    if(y+tip.offsetHeight>window.innerHeight)y=Math.max(0,event.clientY-tip.offsetHeight-14);
    tip.style.left=x+'px';tip.style.top=y+'px';}
    function get(o,path){for(var i=0;i<path.length;i++)o=o[path[i]];return o;}
    function setAt(o,path,v){for(var i=0;i<path.length-1;i++)o=o[path[i]];o[path[path.length-1]]=v;}
    function merge(a,b){var o={};[a,b||{}].forEach(function(s){Object.keys(s).forEach(function(k){o[k]=(o[k]&&typeof o[k]==='object'&&!Array.isArray(o[k])&&typeof s[k]==='object')?merge(o[k],s[k]):s[k];});});return o;}
    var brushes={};
    function predicate(chart,v){
    if(!v||!Object.keys(v).length)return null;
    var tests=Object.keys(v).map(function(f){var val=v[f],kind=(chart.brush||{})[f];
    if(!Array.isArray(val))return function(){return true;};
    if(!kind)kind=(val.length===2&&typeof val[0]==='number')?'range':'set';
    if(kind==='range'){var lo=Math.min(val[0],val[1]),hi=Math.max(val[0],val[1]);return function(r){var x=r[f];return typeof x==='number'&&x>=lo&&x<=hi;};}
    var set={};val.forEach(function(x){set[String(x)]=1;});return function(r){return r[f]!==undefined&&set[String(r[f])]===1;};});
    return function(r){for(var i=0;i<tests.length;i++){if(!tests[i](r))return false;}return true;};}
    function embed(chart,datasets){
    var el=document.getElementById(chart.id);if(!el)return Promise.resolve();
    var spec=JSON.parse(JSON.stringify(chart.spec));
    if(chart.control&&chart.choice){var c=chart.control.choices[chart.choice];setAt(spec,chart.control.path,JSON.parse(JSON.stringify(c.set)));
    if(c.filter&&chart.control.filterPath)setAt(spec,chart.control.filterPath,c.filter);}
    var text=JSON.stringify(spec),ds={};
    Object.keys(RAW).forEach(function(k){if(text.indexOf('"name":"'+k+'"')>=0)ds[k]=JSON.parse(RAW[k]);});
    if(datasets)Object.keys(datasets).forEach(function(k){ds[k]=datasets[k];});
    spec.datasets=ds;spec.config=merge(CONFIG,spec.config);
    var vg=vegaLite.compile(spec,{logger:logger}).spec;
    if(chart.view){chart.view.finalize();chart.view=null;}
    while(el.firstChild)el.removeChild(el.firstChild);
    var view=new vega.View(vega.parse(vg),{renderer:'canvas',container:el,hover:true,logger:logger});
    view.tooltip(showTip);
    view.addEventListener('click',function(e,item){var d=item&&item.datum;if(d&&typeof d.index==='number')focus(d.index);});
    if(chart.brush){view.addSignalListener('brush',function(n,v){brushes[chart.id]=predicate(chart,v);renderTable();});}
    chart.view=view;return view.runAsync();}
    function control(chart){
    var el=document.getElementById(chart.id);if(!el||!chart.control)return;
    var label=document.createElement('label');label.className='control';label.textContent=chart.control.label;
    var sel=document.createElement('select');
    chart.control.choices.forEach(function(c,i){var o=document.createElement('option');o.value=String(i);o.textContent=c.label;sel.appendChild(o);});
    label.appendChild(sel);el.parentNode.insertBefore(label,el);
    sel.addEventListener('change',function(){chart.choice=+sel.value;delete brushes[chart.id];embed(chart).then(renderTable);});}
    var T=D.table,table=document.getElementById('points-table'),input=document.getElementById('points-filter'),status=document.getElementById('points-status');
    var sortKey='index',sortDir=1,focused=null;
    if(T&&table){var keys=T.columns.map(function(c){return c.key;});
    if(keys.indexOf('speedup')>=0&&P.some(function(r){return typeof r.speedup==='number'&&Math.abs(r.speedup-1)>1e-9;})){sortKey='speedup';sortDir=-1;}
    else if(keys.indexOf('time_s')>=0){sortKey='time_s';sortDir=1;}}
    var texts=null;
    function rowText(r){return T.columns.map(function(c){return fmt(r[c.key],c.unit);}).join(' ').toLowerCase();}
    function renderTable(){
    if(!table)return;
    if(!texts){texts={};P.forEach(function(r){texts[r.index]=rowText(r);});}
    var q=input?input.value.toLowerCase():'';
    var preds=Object.keys(brushes).map(function(k){return brushes[k];}).filter(Boolean);
    var rows=P.filter(function(r){for(var i=0;i<preds.length;i++){if(!preds[i](r))return false;}return !q||texts[r.index].indexOf(q)>=0;});
    rows.sort(function(a,b){var x=a[sortKey],y=b[sortKey];var nx=x===undefined||x===null,ny=y===undefined||y===null;
    if(nx&&ny)return a.index-b.index;if(nx)return 1;if(ny)return -1;if(typeof x!==typeof y){x=String(x);y=String(y);}
    return x<y?-sortDir:x>y?sortDir:a.index-b.index;});
    var head=document.createElement('tr');
    T.columns.forEach(function(c){var th=cell(head,c.title,'th');if(c.key===sortKey)th.setAttribute('aria-sort',sortDir>0?'ascending':'descending');
    th.addEventListener('click',function(){if(sortKey===c.key)sortDir=-sortDir;else{sortKey=c.key;sortDir=1;}renderTable();});});
    table.tHead.replaceChildren(head);
    var body=document.createDocumentFragment();
    rows.slice(0,T.limit).forEach(function(r){var tr=document.createElement('tr');tr.setAttribute('data-index',String(r.index));
    if(r.index===focused)tr.className='focus';
    T.columns.forEach(function(c){var td=cell(tr,fmt(r[c.key],c.unit));if(typeof r[c.key]==='number')td.setAttribute('data-v','');});
    body.appendChild(tr);});
    table.tBodies[0].replaceChildren(body);
    if(status)status.textContent=rows.length+' of '+P.length+' points'+(rows.length>T.limit?' (the first '+T.limit+' shown)':'')+(preds.length?' \\u00b7 brushed':'');}
    function waterfallRows(i){var W=D.waterfalls,e=W&&W.points[String(i)];if(!e)return null;
    var r=byIndex[i],rows=[],before=0;
    e.forEach(function(s,k){var st=W.steps[s[0]],total=k===0||k===e.length-1;
    rows.push({index:i,point:r?r.name:'#'+i,order:k,step:st.label,start:total?0:before,end:s[1],
    kind:total?'total':(s[1]>=before?'raises':'lowers'),factor:k===0||before===0?1:s[1]/before,time_s:s[2],speedup:s[1],
    detail:s[3]>=0?W.details[s[3]]:''});before=s[1];});
    return rows;}
    function focus(i){
    focused=i;
    document.querySelectorAll('tr[data-index]').forEach(function(tr){tr.classList.toggle('focus',tr.getAttribute('data-index')===String(i));});
    var noteEl=document.getElementById('focus-note');if(!noteEl||!D.focus)return;
    var W=waterfallRows(i),r=byIndex[i];
    var chart={id:'chart-focus',spec:D.focus,view:focusChart.view};focusChart=chart;
    if(!W){noteEl.textContent='Point '+(r?r.name:'#'+i)+' has no waterfall (no sparsity, or its result predates the waterfall).';
    if(chart.view){chart.view.finalize();chart.view=null;}var el=document.getElementById('chart-focus');while(el.firstChild)el.removeChild(el.firstChild);return;}
    noteEl.textContent='Waterfall of '+(r?r.name:'#'+i)+':';embed(chart,{waterfall_focus:W});}
    var focusChart={};
    if(table){table.addEventListener('click',function(e){var tr=e.target.closest('tr[data-index]');if(tr)focus(+tr.getAttribute('data-index'));});}
    document.querySelectorAll('table.sortable').forEach(function(t){t.addEventListener('click',function(e){var tr=e.target.closest('tbody tr[data-index]');if(tr)focus(+tr.getAttribute('data-index'));});});
    if(input)input.addEventListener('input',renderTable);
    var clear=document.getElementById('points-clear');
    if(clear)clear.addEventListener('click',function(){var ids=Object.keys(brushes);brushes={};D.charts.forEach(function(c){if(ids.indexOf(c.id)>=0)embed(c);});renderTable();});
    function key(c){if(!c)return null;var v=c.getAttribute('data-v');if(v!==null){return v===''?null:parseFloat(v);}return c.textContent.toLowerCase();}
    function sortBy(t,column,th){var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
    Array.prototype.forEach.call(t.tHead.rows[0].cells,function(h){h.removeAttribute('aria-sort');});
    th.setAttribute('aria-sort',dir>0?'ascending':'descending');
    var body=t.tBodies[0];var rows=Array.prototype.slice.call(body.rows);rows.forEach(function(r,i){r._i=i;});
    rows.sort(function(a,b){var x=key(a.cells[column]),y=key(b.cells[column]);
    if(x===null&&y===null)return a._i-b._i;if(x===null)return 1;if(y===null)return -1;if(typeof x!==typeof y){x=String(x);y=String(y);}
    return x<y?-dir:x>y?dir:a._i-b._i;});rows.forEach(function(r){body.appendChild(r);});}
    document.querySelectorAll('table.sortable').forEach(function(t){
    Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){th.addEventListener('click',function(){sortBy(t,i,th);});});});
    renderTable();
    window.attnsimReport={charts:D.charts,focus:focus,filters:brushes};
    D.charts.forEach(control);
    Promise.all(D.charts.map(function(c){return embed(c);})).then(function(){
    if(warnings.length){var d=document.createElement('details');d.className='warnings';var s=document.createElement('summary');
    s.textContent=warnings.length+' chart warning'+(warnings.length===1?'':'s');d.appendChild(s);
    warnings.forEach(function(w){var p=document.createElement('div');p.textContent=w;d.appendChild(p);});document.body.appendChild(d);}
    document.body.setAttribute('data-ready','1');});
    })();
    """
}
