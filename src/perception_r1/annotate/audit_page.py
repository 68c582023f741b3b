"""The audit page: one self-contained, offline HTML file (figures inline as base64, math rendered to HTML
when it is written, no request to anywhere) on which an auditor judges each annotation.

What it does for the auditor: every choice is saved in the browser (localStorage, keyed by the page's
dataset fingerprint) the moment it is made and restored on reload or Back, so the counter always counts
what is on screen; leaving with choices not yet downloaded asks first; problems with unanswered
annotations are marked and "Next unanswered" jumps to them; it reads on a phone (viewport meta); the
download is named after the fingerprint and the time, so a second download never hides behind
`verdicts (1).json` (`perception-r1 audit DATA --verdicts FOLDER` scores the newest matching file).
"""

from __future__ import annotations

import base64
import html
import json

from ..data import Record
from ..data.images import open_image, to_png_bytes
from ..data.prompt import question_text
from .mathhtml import STYLE as MATH_STYLE
from .mathhtml import latex_html

_STYLE = """
body{font-family:system-ui,sans-serif;font-size:16px;max-width:60em;margin:0 auto;padding:0 .8em 4em;color:#222}
section{border:1px solid #ccc;border-left:6px solid #3a3;border-radius:6px;padding:.8em;margin:1em 0}
section.pending{border-left-color:#e80}
.todo{display:none;color:#a50;font-weight:bold;margin-left:.5em}section.pending .todo{display:inline}
img{max-width:100%;max-height:24em;display:block;margin:.5em 0}
table{border-collapse:collapse;width:100%}td{border-top:1px solid #eee;padding:.4em .3em;vertical-align:top}
td.v{white-space:nowrap}td.v label{display:inline-block;padding:.3em .4em}
.cot{white-space:pre-wrap;font-size:.85em;color:#555}
#bar{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #ccc;z-index:1}
#bar button{font-size:1em;padding:.3em .7em;margin:.2em .2em .2em 0}
.fp{font-family:monospace;font-size:.8em;color:#555;word-break:break-all}
@media (max-width:40em){td.v{white-space:normal}td.v label{display:block}}
"""

_SCRIPT = """
const KEY='perception-r1-audit:'+FINGERPRINT;
function saved(){try{return JSON.parse(localStorage.getItem(KEY))||{choices:{},dirty:false}}catch(e){return {choices:{},dirty:false}}}
function keep(s){try{localStorage.setItem(KEY,JSON.stringify(s))}catch(e){}}
function restore(){
  const s=saved();
  for(const inp of document.querySelectorAll('input[type=radio]'))inp.checked=(s.choices[inp.name]===inp.value);
  progress();
}
function choose(ev){
  const t=ev.target;if(t.type!=='radio')return;
  const s=saved();s.choices[t.name]=t.value;s.dirty=true;keep(s);progress();
}
function collect(){
  const out={format:FORMAT,dataset:DATASET,fingerprint:FINGERPRINT,saved_at:new Date().toISOString(),verdicts:[]};
  for(const row of document.querySelectorAll('tr[data-id]')){
    const c=row.querySelector('input:checked');
    out.verdicts.push({id:row.dataset.id,index:+row.dataset.index,annotation:row.dataset.text,
                       correct:c?c.value==='1':null});
  }
  return out;
}
function progress(){
  let judged=0,total=0;
  for(const sec of document.querySelectorAll('section[data-problem]')){
    const rows=sec.querySelectorAll('tr[data-id]');let open=0;
    for(const row of rows){total++;if(row.querySelector('input:checked'))judged++;else open++;}
    sec.classList.toggle('pending',open>0);
    sec.querySelector('.todo').textContent=open+' unanswered';
  }
  document.getElementById('done').textContent=judged+' / '+total+' judged';
  document.getElementById('next').disabled=(judged===total);
}
function nextPending(){
  const all=[...document.querySelectorAll('section.pending')];if(!all.length)return;
  const below=all.find(s=>s.getBoundingClientRect().top>60)||all[0];
  below.scrollIntoView({block:'start'});window.scrollBy(0,-document.getElementById('bar').offsetHeight);
}
function download(){
  const v=collect();
  const blob=new Blob([JSON.stringify(v,null,1)],{type:'application/json'});
  const a=document.createElement('a');a.href=URL.createObjectURL(blob);
  a.download='verdicts-'+FINGERPRINT.slice(0,12)+'-'+v.saved_at.replace(/[-:]/g,'').replace(/\\..*/,'')+'.json';
  document.body.appendChild(a);a.click();a.remove();
  const s=saved();s.dirty=false;keep(s);
}
window.addEventListener('beforeunload',e=>{if(saved().dirty){e.preventDefault();e.returnValue='';}});
window.addEventListener('pageshow',restore);
document.addEventListener('change',choose);
"""


def _img_tag(src: str | bytes) -> str:
    data = base64.b64encode(to_png_bytes(open_image(src).convert("RGB"))).decode()
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


def _section(k: int, rec: Record) -> str:
    e = html.escape
    rid = e(rec.id, quote=True)
    rows = "".join(
        f"<tr data-id='{rid}' data-index='{j}' data-text='{e(a, quote=True)}'>"
        f"<td title='{e(a, quote=True)}'>{latex_html(a)}</td><td class='v'>"
        f"<label><input type='radio' autocomplete='off' name='{rid}-{j}' value='1'> correct</label> "
        f"<label><input type='radio' autocomplete='off' name='{rid}-{j}' value='0'> incorrect</label></td></tr>"
        for j, a in enumerate(rec.visual_annotations or []))
    cot = (f"<details><summary>teacher trajectory</summary><div class='cot'>{e(rec.cot)}</div></details>"
           if rec.cot else "")
    return (f"<section id='p{k}' data-problem='{rid}'><h3>{k + 1}. {e(rec.id)}<span class='todo'></span></h3>"
            f"{''.join(_img_tag(img) for img in rec.images)}<p>{latex_html(question_text(rec.problem, rec.choices))}</p>"
            f"<p>answer: <b>{latex_html(rec.answer)}</b></p><table>{rows}</table>{cot}</section>")


def render_page(records: list[Record], dataset: str, fingerprint: str, verdicts_format: str) -> str:
    """The page for these (annotated) records."""
    e = html.escape
    n_ann = sum(len(r.visual_annotations or []) for r in records)
    script = (f"const FORMAT={json.dumps(verdicts_format)},DATASET={json.dumps(dataset)},"
              f"FINGERPRINT={json.dumps(fingerprint)};" + _SCRIPT)
    return "".join([
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>Annotation audit: {e(dataset)}</title><style>{_STYLE}{MATH_STYLE}</style></head><body>",
        f"<h1>Annotation audit</h1><p>{len(records)} problems, {n_ann} annotations from <code>{e(dataset)}</code> "
        f"<span class='fp'>(fingerprint {e(fingerprint)})</span>. For every annotation, look at the figure and "
        "choose <b>correct</b> if the fact is true of the figure and needed information, <b>incorrect</b> "
        "otherwise. Choices are kept in this browser as you make them. Then download the verdicts and run "
        f"<code>perception-r1 audit {e(dataset)} --verdicts FILE-OR-DOWNLOADS-FOLDER</code>.</p>",
        "<div id='bar'><button id='save' onclick='download()'>Download verdicts</button>"
        "<button id='next' onclick='nextPending()'>Next unanswered</button> <span id='done'></span></div>",
        *(_section(k, rec) for k, rec in enumerate(records)),
        f"<script>{script}</script></body></html>",
    ])
