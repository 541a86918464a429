import json, torch
torch.manual_seed(0)
cases=[]
def t2j(t): return {"dtype": str(t.dtype).replace('torch.',''), "shape": list(t.shape), "data": t.flatten().tolist()}
for shape,n,dim,pre,app,dt in [((2,5),1,-1,None,None,torch.float32),((3,4),2,0,None,None,torch.float32),((2,5),1,1,(2,1),(2,2),torch.float32),((6,),3,0,None,None,torch.int64),((2,4),1,-1,None,None,torch.bool),((4,3),0,0,None,None,torch.float32)]:
    x=(torch.randn(*shape)*3).to(dt) if dt!=torch.bool else torch.randn(*shape)>0
    p=None if pre is None else torch.randn(*pre).to(dt)
    a=None if app is None else torch.randn(*app).to(dt)
    out=torch.diff(x,n=n,dim=dim,prepend=p,append=a)
    cases.append({"x":t2j(x),"n":n,"dim":dim,"prepend":None if p is None else t2j(p),"append":None if a is None else t2j(a),"out":t2j(out)})
print(json.dumps(cases))
